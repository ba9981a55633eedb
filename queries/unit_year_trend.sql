-- purpose: per-unit trajectories — mean self-evaluation score and execution rate by year
-- grain: one row per (unit, year) with at least one self-evaluation project in the filter
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/trends.py (via data.unit_year_trend)
WITH p AS (
    -- include: filtered_projects
)
SELECT
    p.unit,
    p.year,
    count(*) AS n_projects,
    avg(p.total_score_reported) AS score_mean,
    CASE WHEN sum(p.budget) > 0 THEN sum(p.executed) / sum(p.budget) END AS execution_rate,
    sum(p.budget) AS budget,
    sum(p.executed) AS executed
FROM p
WHERE p.kind = 'self_eval'
GROUP BY p.unit, p.year
ORDER BY p.unit, p.year
