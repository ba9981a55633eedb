-- purpose: the flags of the filtered projects with rule title, unit, project, indicator and status now
-- grain: one row per flag
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic;
--             $rules (rule codes, empty = all), $severities (高/中/低, empty = all),
--             $status ('open' / 'waived', '' = all)
-- used by: dashboard/views/flags.py, the review of every flag (via data.flags; status from the waiver log)
WITH p AS (
    -- include: filtered_projects
),
fs AS (
    -- include: flag_status
)
SELECT
    f.flag_id,
    f.rule,
    r.title AS rule_title,
    r.category AS rule_category,
    f.severity,
    f.doc_id,
    f.project_id,
    f.indicator_id,
    p.province,
    p.city,
    p.county,
    p.unit,
    p.year,
    p.kind,
    p.name AS project_name,
    i.seq AS indicator_seq,
    i.name AS indicator_name,
    f.message,
    f.status,
    f.waiver_reason,
    f.waiver_reviewer,
    f.waived_at
FROM fs f
JOIN p USING (project_id)
LEFT JOIN rules r USING (rule)
LEFT JOIN indicators i USING (indicator_id)
WHERE (len(CAST($rules AS VARCHAR[])) = 0 OR list_contains(CAST($rules AS VARCHAR[]), f.rule))
  AND (len(CAST($severities AS VARCHAR[])) = 0 OR list_contains(CAST($severities AS VARCHAR[]), f.severity))
  AND (CAST($status AS VARCHAR) = '' OR f.status = CAST($status AS VARCHAR))
ORDER BY f.rule, p.unit, p.year, p.name, i.seq NULLS FIRST, f.flag_id
