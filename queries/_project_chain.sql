-- purpose: the projects of one project's chain — its goal table, self-evaluation and the same project in other years (a fragment, not a query)
-- grain: one row per project_id in the chain of $project_id (project_lineage), the project itself included
-- parameters: $project_id
-- used by: project_years, project_indicator_years (via "-- include: project_chain")
SELECT l2.project_id
FROM project_lineage l1 JOIN project_lineage l2 USING (lineage_id)
WHERE l1.project_id = CAST($project_id AS VARCHAR)
UNION
SELECT project_id FROM projects WHERE project_id = CAST($project_id AS VARCHAR)
