-- purpose: the flags of one project (about the whole project or one of its indicators)
-- grain: one row per flag of project $project_id, with its status now
-- parameters: $project_id
-- used by: dashboard/pages/drilldown.py (via data.project_flags)
SELECT
    f.flag_id,
    f.rule,
    r.title AS rule_title,
    f.severity,
    f.doc_id,
    f.project_id,
    f.indicator_id,
    i.seq AS indicator_seq,
    i.name AS indicator_name,
    f.message,
    f.status,
    f.waiver_reason,
    f.waiver_reviewer,
    f.waived_at
FROM (
    -- include: flag_status
) f
LEFT JOIN rules r USING (rule)
LEFT JOIN indicators i USING (indicator_id)
WHERE f.project_id = CAST($project_id AS VARCHAR)
ORDER BY f.rule, i.seq NULLS FIRST, f.flag_id
