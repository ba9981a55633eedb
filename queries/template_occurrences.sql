-- purpose: every occurrence of one template cluster — where the near-identical indicator text is used
-- grain: one row per member indicator of cluster $cluster_id (whole database, not filtered)
-- parameters: $cluster_id
-- used by: dashboard/views/flags.py (tab 模板雷同, via data.template_occurrences)
-- note: `unit` is the canonical unit (as everywhere on the dashboard); written_similarity compares
--       the text as written (numbers included) with the cluster's example
SELECT
    coalesce(p.unit_canonical, p.unit) AS unit,
    p.province,
    p.city,
    p.county,
    p.year,
    p.kind,
    p.name AS project_name,
    i.name AS indicator_name,
    i.target_raw,
    i.level1,
    i.level2,
    m.similarity,
    m.written_similarity,
    p.project_id,
    i.indicator_id
FROM template_members m
JOIN indicators i USING (indicator_id)
JOIN projects p ON p.project_id = i.project_id
WHERE m.cluster_id = CAST($cluster_id AS VARCHAR)
ORDER BY coalesce(p.unit_canonical, p.unit), p.year, p.name, p.kind, i.seq
