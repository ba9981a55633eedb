-- purpose: the suggested unit merges (names of one county that differ by 服务 / 本级 / brackets / a cut-off ending)
--          with their status, for the reviewer's merge page
-- grain: one row per suggested pair (unit_a the proposed canonical name, unit_b the alias); pending first
-- parameters: none (a decision is appended to the database's decision log and takes effect at the next rebuild)
-- used by: dashboard/views/units.py (via data.unit_alias_suggestions)
SELECT
    s.status,
    s.province,
    s.city,
    s.county,
    s.unit_a,
    s.unit_b,
    s.reason,
    s.similarity,
    s.n_projects_a,
    s.n_projects_b
FROM unit_alias_suggestions s
ORDER BY CASE s.status WHEN 'pending' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 END,
         s.province NULLS LAST, s.city NULLS LAST, s.county NULLS LAST, s.unit_a, s.unit_b
