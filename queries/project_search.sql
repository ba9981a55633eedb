-- purpose: find projects by name or 项目编码 across units and years (the search box)
-- grain: one row per project whose name or code contains $q (case and width ignored), best matches first;
--        lineage_id groups the documents and years of one project
-- parameters: $q (the text typed; empty finds nothing), $limit
-- used by: the sidebar search on every page (dashboard/filters.py, via data.project_search)
WITH q AS (
    SELECT lower(trim(CAST($q AS VARCHAR))) AS q
)
SELECT
    p.project_id,
    p.year,
    p.kind,
    p.province,
    p.city,
    p.county,
    coalesce(p.unit_canonical, p.unit) AS unit,
    p.name,
    p.code,
    p.budget,
    p.execution_rate,
    p.total_score_reported,
    coalesce(l.lineage_id, p.project_id) AS lineage_id,
    CASE WHEN lower(coalesce(p.code, '')) = q.q THEN 'code'
         WHEN strpos(lower(coalesce(p.code, '')), q.q) > 0 THEN 'code_part'
         ELSE 'name' END AS matched
FROM projects p
CROSS JOIN q
LEFT JOIN project_lineage l USING (project_id)
WHERE q.q <> ''
  AND (strpos(lower(p.name), q.q) > 0 OR strpos(lower(coalesce(p.code, '')), q.q) > 0)
ORDER BY (lower(coalesce(p.code, '')) = q.q) DESC, starts_with(lower(p.name), q.q) DESC, p.year DESC,
         unit, p.name, p.kind, p.project_id
LIMIT CAST($limit AS INTEGER)
