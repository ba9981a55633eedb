-- purpose: the projects on each side of a suggested unit merge (the merge page shows what would become one unit)
-- grain: one row per project of the region whose unit, as written and cleaned, is $unit_a (side 'a', the proposed
--        canonical name) or $unit_b (side 'b', the alias)
-- parameters: $province $city $county (the suggestion's region; NULL matches NULL), $unit_a, $unit_b
-- used by: dashboard/views/units.py (via data.unit_merge_projects)
SELECT
    CASE WHEN n.unit_clean = CAST($unit_a AS VARCHAR) THEN 'a' ELSE 'b' END AS side,
    p.project_id,
    p.year,
    p.kind,
    p.unit AS unit_as_written,
    coalesce(p.unit_canonical, p.unit) AS unit_canonical,
    p.name,
    p.code,
    p.budget,
    p.execution_rate,
    p.total_score_reported
FROM projects p
JOIN unit_names n ON n.unit = p.unit AND n.province IS NOT DISTINCT FROM p.province
                 AND n.city IS NOT DISTINCT FROM p.city AND n.county IS NOT DISTINCT FROM p.county
WHERE p.province IS NOT DISTINCT FROM CAST($province AS VARCHAR)
  AND p.city IS NOT DISTINCT FROM CAST($city AS VARCHAR)
  AND p.county IS NOT DISTINCT FROM CAST($county AS VARCHAR)
  AND n.unit_clean IN (CAST($unit_a AS VARCHAR), CAST($unit_b AS VARCHAR))
ORDER BY side, p.year DESC, p.name, p.kind, p.project_id
