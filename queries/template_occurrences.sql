-- purpose: every occurrence of one template cluster — where the near-identical indicator text is used
-- grain: one row per member indicator of cluster $cluster_id (whole database, not filtered)
-- parameters: $cluster_id
-- used by: dashboard/pages/flags.py (tab 模板雷同, via data.template_occurrences); `unit` is the canonical unit,
--          as 下钻 lists units (its links open that unit)
SELECT
    coalesce(p.unit_canonical, p.unit) AS unit,
    p.year,
    p.kind,
    p.name AS project_name,
    i.name AS indicator_name,
    i.target_raw,
    i.level1,
    i.level2,
    m.similarity,
    p.project_id,
    i.indicator_id
FROM template_members m
JOIN indicators i USING (indicator_id)
JOIN projects p ON p.project_id = i.project_id
WHERE m.cluster_id = CAST($cluster_id AS VARCHAR)
ORDER BY unit, p.year, p.name, i.seq
