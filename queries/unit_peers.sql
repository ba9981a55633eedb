-- purpose: peers by kind of unit — every 教育局, every 社保中心 … side by side across counties, with the kind's median
-- grain: one row per (unit_kind, province, city, county, canonical unit) in the filtered projects; $unit_kind
--        ('' = every kind) narrows to one kind
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic; $unit_kind
-- used by: dashboard/views/compare.py (同类单位, via data.unit_peers); unit kinds from unit_names
--          (jixiao.units.UNIT_KINDS)
WITH p AS (
    -- include: filtered_projects
),
kinds AS (
    -- one kind per canonical unit of a region (names written two ways share it)
    SELECT province, city, county, unit_canonical AS unit,
           coalesce(min(unit_kind) FILTER (WHERE unit_kind <> '其他'), '其他') AS unit_kind
    FROM unit_names GROUP BY ALL
),
-- the open flags counted per unit (from flag_context's copy of each flag's project's unit) and the
-- kinds joined to the units, not to each of 112,623 projects: a per-project count joined back on
-- its string id, and a four-column join per project, were most of the query at a million indicators
n_flag AS (
    SELECT f.province, f.city, f.county, f.unit, count(*) FILTER (WHERE f.status = 'open') AS n_open
    FROM (
        -- include: filtered_flags
    ) f
    GROUP BY ALL
),
per_unit AS (
    SELECT
        p.province, p.city, p.county, p.unit,
        count(*) AS n_projects,
        count(*) FILTER (WHERE p.kind = 'self_eval') AS n_self_eval,
        sum(p.budget) FILTER (WHERE p.kind = 'self_eval') AS budget,
        sum(p.executed) FILTER (WHERE p.kind = 'self_eval') AS executed,
        avg(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_mean
    FROM p
    GROUP BY ALL
),
u AS (
    SELECT
        coalesce(k.unit_kind, '其他') AS unit_kind,
        x.province, x.city, x.county, x.unit,
        x.n_projects,
        x.n_self_eval,
        x.budget,
        CASE WHEN x.budget > 0 THEN x.executed / x.budget END AS execution_rate,
        x.score_mean,
        CAST(coalesce(n_flag.n_open, 0) AS BIGINT) AS n_open_flags,
        -- open flags per project, as 单位对比 counts them
        coalesce(n_flag.n_open, 0) / x.n_projects AS flags_per_project
    FROM per_unit x
    LEFT JOIN kinds k ON k.unit = x.unit AND k.province IS NOT DISTINCT FROM x.province
                     AND k.city IS NOT DISTINCT FROM x.city AND k.county IS NOT DISTINCT FROM x.county
    LEFT JOIN n_flag ON n_flag.province IS NOT DISTINCT FROM x.province AND n_flag.city IS NOT DISTINCT FROM x.city
                    AND n_flag.county IS NOT DISTINCT FROM x.county AND n_flag.unit IS NOT DISTINCT FROM x.unit
)
SELECT
    u.*,
    count(*) OVER w AS n_peers,
    median(u.execution_rate) OVER w AS kind_execution_rate_median,
    median(u.score_mean) OVER w AS kind_score_median,
    median(u.flags_per_project) OVER w AS kind_flags_per_project_median,
    CASE WHEN u.score_mean IS NOT NULL
         THEN rank() OVER (PARTITION BY u.unit_kind ORDER BY u.score_mean DESC NULLS LAST) END AS score_rank
FROM u
WHERE CAST($unit_kind AS VARCHAR) = '' OR u.unit_kind = CAST($unit_kind AS VARCHAR)
WINDOW w AS (PARTITION BY u.unit_kind)
ORDER BY u.unit_kind, u.score_mean DESC NULLS LAST, u.province, u.city, u.county, u.unit
