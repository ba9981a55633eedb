-- purpose: counties side by side — execution, scores, 高分低执行 projects and their share, open flags per project
-- grain: one row per (province, city, county) in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic;
--             $high_score, $low_rate (the 高分低执行 quadrant: total score ≥ $high_score and 执行率 < $low_rate)
-- used by: dashboard/views/compare.py (县（区）汇总, via data.county_rollup; flags' status now joined in SQL)
-- not materialized: three scans of the filtered projects cost less than storing them once
WITH p AS NOT MATERIALIZED (
    -- include: filtered_projects
),
-- the flags counted per county (filtered_flags: each flag's project's region from flag_context),
-- not a count per project joined to the 112,623 projects on their string ids
n_flag AS (
    SELECT f.province, f.city, f.county, count(*) AS n, count(*) FILTER (WHERE f.status = 'open') AS n_open
    FROM (
        -- include: filtered_flags
    ) f
    GROUP BY ALL
),
all_p AS (
    SELECT p.province, p.city, p.county,
           count(DISTINCT p.unit) AS n_units,
           count(*) AS n_projects,
           count(*) FILTER (WHERE p.kind = 'goal') AS n_goal
    FROM p
    GROUP BY ALL
),
-- the rate is the project's own, or the scores' (executed over budget) where it has none: only
-- those projects are joined to project_scores on their string ids, not every self-evaluation
se AS (
    SELECT p.province, p.city, p.county, p.budget, p.executed, p.total_score_reported, p.execution_rate AS rate
    FROM p
    WHERE p.kind = 'self_eval' AND p.execution_rate IS NOT NULL
    UNION ALL
    SELECT p.province, p.city, p.county, p.budget, p.executed, p.total_score_reported, s.execution_rate AS rate
    FROM p LEFT JOIN project_scores s USING (project_id)
    WHERE p.kind = 'self_eval' AND p.execution_rate IS NULL
),
se_c AS (
    SELECT province, city, county,
           count(*) AS n_self_eval,
           sum(budget) AS budget,
           sum(executed) AS executed,
           -- 执行率 of the county: executed over budget of its self-evaluations (money-weighted)
           CASE WHEN sum(budget) > 0 THEN sum(executed) / sum(budget) END AS execution_rate,
           avg(rate) AS execution_rate_mean,
           avg(total_score_reported) AS score_mean,
           median(total_score_reported) AS score_median,
           count(*) FILTER (WHERE total_score_reported IS NOT NULL AND rate IS NOT NULL) AS n_scored,
           count(*) FILTER (WHERE total_score_reported >= CAST($high_score AS DOUBLE)
                              AND rate < CAST($low_rate AS DOUBLE)) AS n_high_score_low_rate
    FROM se
    GROUP BY ALL
)
SELECT
    a.province,
    a.city,
    a.county,
    a.n_units,
    a.n_projects,
    a.n_goal,
    coalesce(c.n_self_eval, 0) AS n_self_eval,
    c.budget,
    c.executed,
    c.execution_rate,
    c.execution_rate_mean,
    c.score_mean,
    c.score_median,
    coalesce(c.n_high_score_low_rate, 0) AS n_high_score_low_rate,
    CASE WHEN c.n_scored > 0 THEN c.n_high_score_low_rate / c.n_scored END AS high_score_low_rate_share,
    CAST(coalesce(f.n, 0) AS HUGEINT) AS n_flags_all,  -- the type the sum over projects had
    coalesce(f.n_open, 0) AS n_open_flags,
    -- open flags per project, as 单位对比 counts them
    coalesce(f.n_open, 0) / a.n_projects AS flags_per_project
FROM all_p a
LEFT JOIN se_c c ON c.province IS NOT DISTINCT FROM a.province AND c.city IS NOT DISTINCT FROM a.city
                AND c.county IS NOT DISTINCT FROM a.county
LEFT JOIN n_flag f ON f.province IS NOT DISTINCT FROM a.province AND f.city IS NOT DISTINCT FROM a.city
                  AND f.county IS NOT DISTINCT FROM a.county
ORDER BY a.province NULLS LAST, a.city NULLS LAST, a.county NULLS LAST
