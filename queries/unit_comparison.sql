-- purpose: units side by side — projects, budget, execution, self-evaluation scores, flags (all, and
--          open now: n_open_flags, flags_per_project)
-- grain: one row per (province, city, county, unit) in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/overview.py, compare.py, drilldown.py (via data.unit_comparison)
WITH p AS (
    -- include: filtered_projects
),
-- the flags counted per unit, not per project: from flag_context's copy of each flag's project's
-- unit (filtered_flags), not joined to the 112,623 projects on their string ids
n_flag AS (
    SELECT f.province, f.city, f.county, f.unit, count(*) AS n, count(*) FILTER (WHERE f.status = 'open') AS n_open
    FROM (
        -- include: filtered_flags
    ) f
    GROUP BY ALL
),
-- the indicator counts per unit from score_cells (project_scores summed per cell of the filter's
-- columns in derive, read through the same filter), not every project joined to its scores on
-- their string ids
sc AS (
    SELECT
        p.province,
        p.city,
        p.county,
        coalesce(p.unit_canonical, p.unit) AS unit,
        sum(p.n_indicators) AS n_indicators,
        sum(p.n_scored) FILTER (WHERE p.kind = 'self_eval') AS n_scored,
        sum(p.n_full_marks) FILTER (WHERE p.kind = 'self_eval') AS n_full_marks
    FROM score_cells p
    WHERE
        -- include: project_filter
    GROUP BY ALL
),
per_unit AS (
    SELECT
        p.province,
        p.city,
        p.county,
        p.unit,
        count(*) AS n_projects,
        count(*) FILTER (WHERE p.kind = 'goal') AS n_goal,
        count(*) FILTER (WHERE p.kind = 'self_eval') AS n_self_eval,
        len(list_distinct(list(p.year))) AS n_years,  -- not count(DISTINCT): that splits the aggregate in two
        sum(p.budget) AS budget,
        sum(p.budget) FILTER (WHERE p.kind = 'self_eval') AS budget_self_eval,
        sum(p.executed) FILTER (WHERE p.kind = 'self_eval') AS executed,
        avg(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_mean,
        median(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_median
    FROM p
    GROUP BY ALL
)
SELECT
    u.province,
    u.city,
    u.county,
    u.unit,
    u.n_projects,
    u.n_goal,
    u.n_self_eval,
    coalesce(sc.n_indicators, 0) AS n_indicators,
    u.n_years,
    u.budget,
    u.budget_self_eval,
    u.executed,
    -- 执行率 of the unit: executed over budget of its self-evaluations (money-weighted)
    CASE WHEN u.budget_self_eval > 0 THEN u.executed / u.budget_self_eval END AS execution_rate,
    u.score_mean,
    u.score_median,
    -- 满分占比: indicators given full marks among the scored indicators of self-evaluations
    CASE WHEN sc.n_scored > 0 THEN sc.n_full_marks / sc.n_scored END AS full_marks_share,
    coalesce(n_flag.n, 0) AS n_flags_all,
    CAST(coalesce(n_flag.n_open, 0) AS BIGINT) AS n_open_flags,
    coalesce(n_flag.n_open, 0) / u.n_projects AS flags_per_project
FROM per_unit u
LEFT JOIN sc
    ON sc.province IS NOT DISTINCT FROM u.province AND sc.city IS NOT DISTINCT FROM u.city
   AND sc.county IS NOT DISTINCT FROM u.county AND sc.unit IS NOT DISTINCT FROM u.unit
LEFT JOIN n_flag
    ON n_flag.province IS NOT DISTINCT FROM u.province AND n_flag.city IS NOT DISTINCT FROM u.city
   AND n_flag.county IS NOT DISTINCT FROM u.county AND n_flag.unit IS NOT DISTINCT FROM u.unit
ORDER BY u.province NULLS LAST, u.city NULLS LAST, u.county NULLS LAST, u.unit NULLS LAST
