-- purpose: the headline of the flags page — how many flags, open ones, projects and units they touch
-- grain: one row for the filtered flags
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic;
--             $rules, $severities (empty = all), $status ('open' / 'waived', '' = all)
-- used by: dashboard/views/flags.py (via data.flag_totals)
-- the flags of the filtered projects with their unit from flag_context (filtered_flags), not
-- every flag joined to the 112,623 projects on their string ids
WITH f AS (
    -- include: filtered_flags
)
SELECT
    count(*) AS n,
    count(*) FILTER (WHERE f.status = 'open') AS n_open,
    count(DISTINCT f.project_id) AS n_projects,
    count(DISTINCT f.unit) AS n_units,
    count(DISTINCT f.project_id) FILTER (WHERE f.status = 'open') AS n_projects_open,
    count(DISTINCT f.unit) FILTER (WHERE f.status = 'open') AS n_units_open,
    min(f.flag_id) FILTER (WHERE f.status = 'open') AS first_open_flag
FROM f
WHERE (len(CAST($rules AS VARCHAR[])) = 0 OR list_contains(CAST($rules AS VARCHAR[]), f.rule))
  AND (len(CAST($severities AS VARCHAR[])) = 0 OR list_contains(CAST($severities AS VARCHAR[]), f.severity))
  AND (CAST($status AS VARCHAR) = '' OR f.status = CAST($status AS VARCHAR))
