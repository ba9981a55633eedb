-- purpose: headline numbers of the 总览 page for the current filter
-- grain: one row for the whole filtered set of projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/overview.py (via data.overview_metrics)
WITH p AS (
    -- include: filtered_projects
)
SELECT
    count(DISTINCT p.unit) AS n_units,
    count(*) AS n_projects,
    count(*) FILTER (WHERE p.kind = 'goal') AS n_goal,
    count(*) FILTER (WHERE p.kind = 'self_eval') AS n_self_eval,
    CAST(coalesce(sum(s.n_indicators), 0) AS BIGINT) AS n_indicators,  -- counted once per project, in project_scores
    count(DISTINCT p.year) AS n_years,
    min(p.year) AS year_min,
    max(p.year) AS year_max,
    sum(p.budget) AS budget,
    sum(p.budget) FILTER (WHERE p.kind = 'self_eval') AS budget_self_eval,
    sum(p.executed) FILTER (WHERE p.kind = 'self_eval') AS executed,
    avg(p.execution_rate) FILTER (WHERE p.kind = 'self_eval') AS execution_rate_mean,
    avg(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_mean,
    count(*) FILTER (WHERE coalesce(p.synthetic, false)) AS n_synthetic
FROM p
LEFT JOIN project_scores s USING (project_id)
