-- purpose: one point per self-evaluation project — execution rate against the reported total score
-- grain: one row per self-evaluation project (kind = 'self_eval') in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/compare.py (score box plots), trends.py (scatter, quadrant table)
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
    p.project_id,
    p.year,
    p.province,
    p.city,
    p.county,
    p.unit,
    p.name,
    p.budget,
    p.executed,
    coalesce(p.execution_rate, s.execution_rate) AS execution_rate,
    p.total_score_reported,
    s.total_expected,
    p.budget_score_reported,
    s.budget_score_expected,
    s.n_full_marks,
    s.n_scored,
    coalesce(p.synthetic, false) AS synthetic
FROM p
LEFT JOIN project_scores s USING (project_id)
WHERE p.kind = 'self_eval'
ORDER BY p.unit, p.year, p.project_id
