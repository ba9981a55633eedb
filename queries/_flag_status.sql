-- purpose: every flag with its status now — the waivers accepted now (relation waivers_now,
--          registered by jixiao.queries.execute from jixiao.waivers.current_waivers) joined on
--          the flag's key (rule, project_id, indicator_id or ''); a fragment, not a query
-- grain: one row per flag
-- parameters: none (reads the relation waivers_now)
-- used by: flags_filtered (the rows of a page), project_chain_flags, project_flags; the flags of the
--          filtered projects join the waivers on the same key in _filtered_flags.sql
SELECT
    f.*,
    CASE WHEN w.reason IS NULL THEN 'open' ELSE 'waived' END AS status,
    w.reason AS waiver_reason,
    nullif(w.reviewer, '') AS waiver_reviewer,
    nullif(w.waived_at, '') AS waived_at
FROM flags f
LEFT JOIN waivers_now w
    ON w.rule = f.rule AND w.project_id = f.project_id AND w.indicator_id = coalesce(f.indicator_id, '')
