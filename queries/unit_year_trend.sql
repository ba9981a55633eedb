-- purpose: per-unit trajectories — mean self-evaluation score and execution rate by year
-- grain: one row per (unit, year) with at least one self-evaluation project in the filter
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/trends.py (via data.unit_year_trend)
WITH p AS (
    SELECT p.*
    FROM projects p
    WHERE
        -- filters:begin (shared sidebar filters; an empty list or NULL means all)
        (len(CAST($years AS INTEGER[])) = 0 OR list_contains(CAST($years AS INTEGER[]), p.year))
        AND (len(CAST($provinces AS VARCHAR[])) = 0 OR list_contains(CAST($provinces AS VARCHAR[]), p.province))
        AND (len(CAST($cities AS VARCHAR[])) = 0 OR list_contains(CAST($cities AS VARCHAR[]), p.city))
        AND (len(CAST($counties AS VARCHAR[])) = 0 OR list_contains(CAST($counties AS VARCHAR[]), p.county))
        AND (len(CAST($units AS VARCHAR[])) = 0 OR list_contains(CAST($units AS VARCHAR[]), p.unit))
        AND (CAST($kind AS VARCHAR) IS NULL OR p.kind = CAST($kind AS VARCHAR))
        AND (CAST($synthetic AS BOOLEAN) IS NULL OR coalesce(p.synthetic, false) = CAST($synthetic AS BOOLEAN))
        -- filters:end
)
SELECT
    p.unit,
    p.year,
    count(*) AS n_projects,
    avg(p.total_score_reported) AS score_mean,
    CASE WHEN sum(p.budget) > 0 THEN sum(p.executed) / sum(p.budget) END AS execution_rate,
    sum(p.budget) AS budget,
    sum(p.executed) AS executed
FROM p
WHERE p.kind = 'self_eval'
GROUP BY p.unit, p.year
ORDER BY p.unit, p.year
