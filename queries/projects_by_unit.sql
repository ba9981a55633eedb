-- purpose: the drill-down's second level — one unit's projects within the current filter
-- grain: one row per project of unit $unit in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic; $unit (the selected unit)
-- used by: dashboard/pages/drilldown.py (via data.projects_by_unit)
WITH p AS (
    -- include: filtered_projects
),
-- the open flags of this unit's projects only (filtered_flags: each flag's project's unit from
-- flag_context), not a count for every flagged project joined back on its string id
n_open AS (
    SELECT f.project_id, count(*) AS n
    FROM (
        -- include: filtered_flags
    ) f
    WHERE f.status = 'open' AND f.unit = CAST($unit AS VARCHAR)
    GROUP BY f.project_id
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
  -- the same condition once more, on the stored column: this one the scan applies itself, before
  -- it reads the other columns of 112,623 projects (the canonical unit is the name as written
  -- only where unit_canonical is NULL)
  AND (p.unit_canonical = CAST($unit AS VARCHAR) OR p.unit_canonical IS NULL)
ORDER BY p.year DESC, p.kind, p.seq, p.project_id
