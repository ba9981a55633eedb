-- purpose: the flags of one project's whole chain — its goal table and self-evaluation of every year
-- grain: one row per flag of a project in the chain of $project_id (project_lineage), the project itself included;
--        indicator_lineage_id names the same indicator in every document and year, with its status now
-- parameters: $project_id (any document of the project, any year)
-- used by: dashboard/views/project.py (via data.project_chain_flags)
WITH chain AS (
    -- include: project_chain
),
fs AS (
    -- include: flag_status
),
cf AS (SELECT f.* FROM fs f WHERE f.project_id IN (SELECT project_id FROM chain)),
-- the chain's flagged indicators and their lineage looked up by id (a semi join: a million
-- rows are not scanned for a handful)
ci AS (SELECT indicator_id, seq, name FROM indicators WHERE indicator_id IN (SELECT indicator_id FROM cf)),
cl AS (SELECT indicator_id, lineage_id FROM indicator_lineage WHERE indicator_id IN (SELECT indicator_id FROM cf))
SELECT
    f.flag_id,
    f.rule,
    r.title AS rule_title,
    f.severity,
    f.doc_id,
    f.project_id,
    f.indicator_id,
    p.year,
    p.kind,
    p.name AS project_name,
    i.seq AS indicator_seq,
    i.name AS indicator_name,
    coalesce(il.lineage_id, i.indicator_id) AS indicator_lineage_id,
    f.message,
    f.status,
    f.waiver_reason,
    f.waiver_reviewer,
    f.waived_at
FROM cf f
JOIN projects p USING (project_id)
LEFT JOIN rules r USING (rule)
LEFT JOIN ci i USING (indicator_id)
LEFT JOIN cl il ON il.indicator_id = f.indicator_id
ORDER BY p.year, p.kind, f.rule, i.seq NULLS FIRST, f.flag_id
