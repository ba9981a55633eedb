-- purpose: each flag's waiver now, joined on the flag's key (rule, project_id, indicator_id or '')
--          from the waivers accepted now (relation waivers_now, registered by jixiao.queries.execute
--          from jixiao.waivers.current_waivers) — the queries' one copy of that key (jixiao.waivers.apply_waivers
--          applies the same key to frames, for the CLI and the export); a fragment (a join), not a query
-- grain: a LEFT JOIN onto the flags (or flag_context) aliased p, as w (reason, reviewer, waived_at; null: not waived)
-- parameters: none (reads the relation waivers_now)
-- used by: _flag_status.sql, _filtered_flags.sql (each with -- include: waiver_status for the status)
LEFT JOIN waivers_now w
    ON w.rule = p.rule AND w.project_id = p.project_id AND w.indicator_id = coalesce(p.indicator_id, '')
