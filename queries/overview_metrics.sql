-- purpose: headline numbers of the 总览 page for the current filter
-- grain: one row for the whole filtered set of projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/overview.py (via data.overview_metrics)
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
    count(DISTINCT p.unit) AS n_units,
    count(*) AS n_projects,
    count(*) FILTER (WHERE p.kind = 'goal') AS n_goal,
    count(*) FILTER (WHERE p.kind = 'self_eval') AS n_self_eval,
    (SELECT count(*) FROM indicators i WHERE i.project_id IN (SELECT project_id FROM p)) AS n_indicators,
    count(DISTINCT p.year) AS n_years,
    min(p.year) AS year_min,
    max(p.year) AS year_max,
    sum(p.budget) AS budget,
    sum(p.budget) FILTER (WHERE p.kind = 'self_eval') AS budget_self_eval,
    sum(p.executed) FILTER (WHERE p.kind = 'self_eval') AS executed,
    avg(p.execution_rate) FILTER (WHERE p.kind = 'self_eval') AS execution_rate_mean,
    avg(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_mean,
    count(*) FILTER (WHERE coalesce(p.synthetic, false)) AS n_synthetic
FROM p
