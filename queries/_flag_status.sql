-- purpose: every flag with its status now — the waivers accepted now (relation waivers_now,
--          registered by jixiao.queries.execute from jixiao.waivers.current_waivers) joined on
--          the flag's key (rule, project_id, indicator_id or ''); a fragment, not a query
-- grain: one row per flag
-- parameters: none (reads the relation waivers_now)
-- used by: flags_filtered (the rows of a page), project_chain_flags, project_flags; the key and the
--          status are _waiver_join.sql and _waiver_status.sql, which _filtered_flags.sql reads too
SELECT
    p.*,
    w.reason AS waiver_reason,
    nullif(w.reviewer, '') AS waiver_reviewer,
    nullif(w.waived_at, '') AS waived_at,
    -- include: waiver_status
FROM flags p
-- include: waiver_join
