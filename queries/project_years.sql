-- purpose: one project year by year — its goal table and self-evaluation of every year side by side
-- grain: one row per year of the project's chain (project_lineage), goal and self-evaluation in columns
-- parameters: $project_id (any document of the project, any year)
-- used by: dashboard/views/project.py (via data.project_years); each indicator by year: project_indicator_years
WITH chain AS (
    -- include: project_chain
),
p AS (
    SELECT p.*, s.total_expected
    FROM projects p JOIN chain USING (project_id) LEFT JOIN project_scores s USING (project_id)
)
SELECT
    p.year,
    any_value(coalesce(p.unit_canonical, p.unit)) AS unit,
    any_value(p.name) FILTER (WHERE p.kind = 'goal') AS goal_name,
    any_value(p.name) FILTER (WHERE p.kind = 'self_eval') AS self_name,
    any_value(p.code) FILTER (WHERE p.code IS NOT NULL) AS code,
    any_value(p.budget) FILTER (WHERE p.kind = 'goal') AS goal_budget,
    any_value(p.budget) FILTER (WHERE p.kind = 'self_eval') AS budget,
    any_value(p.executed) FILTER (WHERE p.kind = 'self_eval') AS executed,
    any_value(p.execution_rate) FILTER (WHERE p.kind = 'self_eval') AS execution_rate,
    any_value(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS total_score_reported,
    any_value(p.total_expected) FILTER (WHERE p.kind = 'self_eval') AS total_expected,
    any_value(p.project_id) FILTER (WHERE p.kind = 'goal') AS goal_project_id,
    any_value(p.project_id) FILTER (WHERE p.kind = 'self_eval') AS self_project_id
FROM p
GROUP BY p.year
ORDER BY p.year
