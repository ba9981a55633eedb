-- purpose: the flags of the projects that pass the shared sidebar filters, each with its status now
--          (the waivers accepted now, relation waivers_now, joined on the flag's key by
--          _waiver_join.sql, as in _flag_status.sql) and its project's region, canonical unit, year and kind — what
--          `fs JOIN filtered_projects USING (project_id)` gives, read from flag_context (each flag's
--          project's filter columns, written once in derive) without joining 112,623 projects
--          on their string ids; a fragment, not a query
-- grain: one row per flag whose project passes the filters
-- parameters: $years $provinces $cities $counties $units $kind $synthetic (an empty list or NULL means all);
--             reads the relation waivers_now
-- used by: county_rollup, flag_counts, flag_totals, flags_filtered, projects_by_unit, unit_comparison, unit_peers
-- note: `unit` is the canonical unit, as in filtered_projects; no message, doc_id or waiver text
--       (join flags or _flag_status on flag_id for the rows shown)
SELECT
    p.flag_id, p.rule, p.severity, p.project_id, p.indicator_id, p.display_order,
    p.province, p.city, p.county, coalesce(p.unit_canonical, p.unit) AS unit, p.year, p.kind,
    -- include: waiver_status
FROM flag_context p
-- include: waiver_join
WHERE p.in_projects AND
    -- include: project_filter
