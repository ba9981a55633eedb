-- purpose: the projects that pass the shared sidebar filters (a fragment, not a query)
-- grain: one row per project
-- parameters: $years $provinces $cities $counties $units $kind $synthetic (an empty list or NULL means all)
-- used by: every query with "-- include: filtered_projects" (expanded by jixiao.queries.load_query)
-- note: `unit` is the unit's canonical name (projects.unit_canonical: one unit written two ways is
--       one unit in every comparison, trend and roll-up); the name as written is `unit_as_written`
-- note: only project tables (scope = 'project'): a 部门整体 table (scope = 'department') is the
--       department's whole budget, not one more project, and would double-count in every sum
SELECT p.* REPLACE (coalesce(p.unit_canonical, p.unit) AS unit), p.unit AS unit_as_written
FROM projects p
WHERE
    coalesce(p.scope, 'project') = 'project'
    -- filters:begin (shared sidebar filters; an empty list or NULL means all)
    AND (len(CAST($years AS INTEGER[])) = 0 OR list_contains(CAST($years AS INTEGER[]), p.year))
    AND (len(CAST($provinces AS VARCHAR[])) = 0 OR list_contains(CAST($provinces AS VARCHAR[]), p.province))
    AND (len(CAST($cities AS VARCHAR[])) = 0 OR list_contains(CAST($cities AS VARCHAR[]), p.city))
    AND (len(CAST($counties AS VARCHAR[])) = 0 OR list_contains(CAST($counties AS VARCHAR[]), p.county))
    AND (len(CAST($units AS VARCHAR[])) = 0 OR list_contains(CAST($units AS VARCHAR[]), coalesce(p.unit_canonical, p.unit)))
    AND (CAST($kind AS VARCHAR) IS NULL OR p.kind = CAST($kind AS VARCHAR))
    AND (CAST($synthetic AS BOOLEAN) IS NULL OR coalesce(p.synthetic, false) = CAST($synthetic AS BOOLEAN))
    -- filters:end
