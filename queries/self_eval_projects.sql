-- purpose: one point per self-evaluation project — execution rate against the reported total score
-- grain: one row per self-evaluation project (kind = 'self_eval') in the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/compare.py (score box plots), trends.py (scatter, quadrant table)
WITH p AS (
    -- include: filtered_projects
)
SELECT
    p.project_id,
    p.year,
    p.province,
    p.city,
    p.county,
    p.unit,
    p.name,
    p.budget,
    p.executed,
    coalesce(p.execution_rate, s.execution_rate) AS execution_rate,
    p.total_score_reported,
    s.total_expected,
    p.budget_score_reported,
    s.budget_score_expected,
    s.n_full_marks,
    s.n_scored,
    coalesce(p.synthetic, false) AS synthetic
FROM p
LEFT JOIN project_scores s USING (project_id)
WHERE p.kind = 'self_eval'
-- no ORDER BY: the charts group and bin the points, the quadrant table sorts its own rows
-- (sorting 56,000 rows by unit name cost a third of the query at a million indicators)
