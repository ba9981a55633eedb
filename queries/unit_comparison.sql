-- purpose: units side by side — projects, budget, execution, self-evaluation scores, flags (all, and
--          open now: n_open_flags, flags_per_project)
-- grain: one row per (province, city, county, unit) in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/overview.py, compare.py, drilldown.py (via data.unit_comparison)
WITH p AS (
    -- include: filtered_projects
),
fs AS (
    -- include: flag_status
),
n_flag AS (
    SELECT f.project_id, count(*) AS n, count(*) FILTER (WHERE f.status = 'open') AS n_open
    FROM fs f GROUP BY f.project_id
)
SELECT
    p.province,
    p.city,
    p.county,
    p.unit,
    count(*) AS n_projects,
    count(*) FILTER (WHERE p.kind = 'goal') AS n_goal,
    count(*) FILTER (WHERE p.kind = 'self_eval') AS n_self_eval,
    sum(coalesce(s.n_indicators, 0)) AS n_indicators,
    len(list_distinct(list(p.year))) AS n_years,  -- not count(DISTINCT): that splits the aggregate in two
    sum(p.budget) AS budget,
    sum(p.budget) FILTER (WHERE p.kind = 'self_eval') AS budget_self_eval,
    sum(p.executed) FILTER (WHERE p.kind = 'self_eval') AS executed,
    -- 执行率 of the unit: executed over budget of its self-evaluations (money-weighted)
    CASE WHEN sum(p.budget) FILTER (WHERE p.kind = 'self_eval') > 0
         THEN sum(p.executed) FILTER (WHERE p.kind = 'self_eval')
              / sum(p.budget) FILTER (WHERE p.kind = 'self_eval') END AS execution_rate,
    avg(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_mean,
    median(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_median,
    -- 满分占比: indicators given full marks among the scored indicators of self-evaluations
    CASE WHEN sum(s.n_scored) FILTER (WHERE p.kind = 'self_eval') > 0
         THEN sum(s.n_full_marks) FILTER (WHERE p.kind = 'self_eval')
              / sum(s.n_scored) FILTER (WHERE p.kind = 'self_eval') END AS full_marks_share,
    sum(coalesce(n_flag.n, 0)) AS n_flags_all,
    CAST(sum(coalesce(n_flag.n_open, 0)) AS BIGINT) AS n_open_flags,
    sum(coalesce(n_flag.n_open, 0)) / count(*) AS flags_per_project
FROM p
LEFT JOIN project_scores s USING (project_id)
LEFT JOIN n_flag USING (project_id)
GROUP BY p.province, p.city, p.county, p.unit
ORDER BY p.province NULLS LAST, p.city NULLS LAST, p.county NULLS LAST, p.unit NULLS LAST
