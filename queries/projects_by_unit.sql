-- purpose: the drill-down's second level — one unit's projects within the current filter
-- grain: one row per project of unit $unit in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic; $unit (the selected unit)
-- used by: dashboard/pages/drilldown.py (via data.projects_by_unit)
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
),
n_ind AS (
    SELECT i.project_id, count(*) AS n FROM indicators i GROUP BY i.project_id
)
SELECT
    p.project_id,
    p.year,
    p.kind,
    p.name,
    p.code,
    p.department,
    p.budget,
    p.executed,
    p.execution_rate,
    p.total_score_reported,
    s.total_expected,
    coalesce(n_ind.n, 0) AS n_indicators,
    coalesce(p.synthetic, false) AS synthetic
FROM p
LEFT JOIN project_scores s USING (project_id)
LEFT JOIN n_ind USING (project_id)
WHERE p.unit = CAST($unit AS VARCHAR)
ORDER BY p.year DESC, p.kind, p.seq, p.project_id
