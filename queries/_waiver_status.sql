-- purpose: a flag's status now from its waiver (_waiver_join.sql): 'open' or 'waived'; a fragment
--          (one column of a select list), not a query
-- grain: one value per row of the flags joined to w
-- parameters: none
-- used by: _flag_status.sql, _filtered_flags.sql
CASE WHEN w.reason IS NULL THEN 'open' ELSE 'waived' END AS status
