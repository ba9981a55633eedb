-- purpose: how many flags (all, and open now) each rule raises in each unit of the filtered projects —
--          the counts behind the overview, the flags page's charts and the rules page
-- grain: one row per (rule, severity, unit) with at least one flag
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic;
--             $rules (rule codes, empty = all), $severities (高/中/低, empty = all)
-- used by: dashboard/views/overview.py, flags.py, rules.py (via data.flag_counts)
-- the flags of the filtered projects with their unit from flag_context (filtered_flags), not
-- every flag joined to the 112,623 projects on their string ids
WITH f AS (
    -- include: filtered_flags
)
SELECT
    f.rule,
    r.title AS rule_title,
    f.severity,
    f.unit,
    count(*) AS n,
    count(*) FILTER (WHERE f.status = 'open') AS n_open
FROM f
LEFT JOIN rules r USING (rule)
WHERE (len(CAST($rules AS VARCHAR[])) = 0 OR list_contains(CAST($rules AS VARCHAR[]), f.rule))
  AND (len(CAST($severities AS VARCHAR[])) = 0 OR list_contains(CAST($severities AS VARCHAR[]), f.severity))
GROUP BY f.rule, r.title, f.severity, f.unit
ORDER BY f.rule, f.unit NULLS LAST, f.severity
