-- purpose: the projects that pass the shared sidebar filters (a fragment, not a query)
-- grain: one row per project
-- parameters: $years $provinces $cities $counties $units $kind $synthetic (an empty list or NULL means all)
-- used by: every query with "-- include: filtered_projects" (expanded by jixiao.queries.load_query)
-- note: `unit` is the unit's canonical name (projects.unit_canonical: one unit written two ways is
--       one unit in every comparison, trend and roll-up); the name as written is `unit_as_written`
-- note: the filter itself (and why only scope = 'project') is _project_filter.sql
SELECT p.* REPLACE (coalesce(p.unit_canonical, p.unit) AS unit), p.unit AS unit_as_written
FROM projects p
WHERE
    -- include: project_filter
