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
fs AS (
    -- include: flag_status
),
n_flag AS (
    SELECT f.project_id, count(*) FILTER (WHERE f.status = 'open') AS n_open FROM fs f GROUP BY f.project_id
),
u AS (
    SELECT
        coalesce(k.unit_kind, '其他') AS unit_kind,
        p.province, p.city, p.county, p.unit,
        count(*) AS n_projects,
        count(*) FILTER (WHERE p.kind = 'self_eval') AS n_self_eval,
        sum(p.budget) FILTER (WHERE p.kind = 'self_eval') AS budget,
        CASE WHEN sum(p.budget) FILTER (WHERE p.kind = 'self_eval') > 0
             THEN sum(p.executed) FILTER (WHERE p.kind = 'self_eval')
                  / sum(p.budget) FILTER (WHERE p.kind = 'self_eval') END AS execution_rate,
        avg(p.total_score_reported) FILTER (WHERE p.kind = 'self_eval') AS score_mean,
        CAST(sum(coalesce(n_flag.n_open, 0)) AS BIGINT) AS n_open_flags,
        -- open flags per project, as 单位对比 counts them
        sum(coalesce(n_flag.n_open, 0)) / count(*) AS flags_per_project
    FROM p
    LEFT JOIN kinds k ON k.unit = p.unit AND k.province IS NOT DISTINCT FROM p.province
                     AND k.city IS NOT DISTINCT FROM p.city AND k.county IS NOT DISTINCT FROM p.county
    LEFT JOIN n_flag USING (project_id)
    GROUP BY ALL
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
