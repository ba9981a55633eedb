-- purpose: the drill-down's second level — one unit's projects within the current filter
-- grain: one row per project of unit $unit in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic; $unit (the selected unit)
-- used by: dashboard/pages/drilldown.py (via data.projects_by_unit)
WITH p AS (
    -- include: filtered_projects
),
fs AS (
    -- include: flag_status
),
n_open AS (
    SELECT f.project_id, count(*) AS n FROM fs f WHERE f.status = 'open' GROUP BY f.project_id
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
    coalesce(s.n_indicators, 0) AS n_indicators,
    coalesce(n_open.n, 0) AS n_open_flags,
    coalesce(p.synthetic, false) AS synthetic
FROM p
LEFT JOIN project_scores s USING (project_id)
LEFT JOIN n_open USING (project_id)
WHERE p.unit = CAST($unit AS VARCHAR)
ORDER BY p.year DESC, p.kind, p.seq, p.project_id
