-- purpose: each indicator of one project across its documents and years — target, weight, actual, score
-- grain: one row per indicator of every document in the project's chain; indicator_lineage_id is the same
--        for the same indicator in every document and year (the indicator's own id when it has no link)
-- parameters: $project_id (any document of the project, any year)
-- used by: dashboard/views/project.py (via data.project_indicator_years, pivoted by year in data.indicator_pivot)
WITH chain AS (
    -- include: project_chain
)
SELECT
    coalesce(il.lineage_id, i.indicator_id) AS indicator_lineage_id,
    p.year,
    p.kind,
    i.level1,
    i.level2,
    i.seq,
    i.name,
    i.target_raw,
    i.weight,
    i.actual_raw,
    i.score_reported,
    i.score_expected,
    p.project_id,
    i.indicator_id
FROM indicators i
JOIN chain USING (project_id)
JOIN projects p USING (project_id)
LEFT JOIN indicator_lineage il USING (indicator_id)
ORDER BY indicator_lineage_id, p.year, p.kind, i.seq
