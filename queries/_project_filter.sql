-- purpose: the shared sidebar filters as the condition a project passes (a fragment, not a query):
--          the one copy of the filter, read by filtered_projects (projects) and filtered_flags
--          (flag_context, which carries each flag's project's filter columns)
-- grain: a WHERE condition on the relation aliased p (columns scope, year, province, city, county,
--        unit, unit_canonical, kind, synthetic)
-- parameters: $years $provinces $cities $counties $units $kind $synthetic (an empty list or NULL means all)
-- used by: _filtered_projects.sql, _filtered_flags.sql (expanded by jixiao.queries.load_query)
-- note: only project tables (scope = 'project'): a 部门整体 table (scope = 'department') is the
--       department's whole budget, not one more project, and would double-count in every sum
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
