-- purpose: the projects a review report (审核意见) covers, with their scores by the rules and counts
-- grain: one row per project in the filtered projects (the report groups them by unit in Python)
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: jixiao/report/model.py (jixiao report, and the dashboard's report downloads via data.report_file)
WITH p AS (
    -- include: filtered_projects
),
SELECT
    p.project_id,
    p.doc_id,
    p.seq,
    p.kind,
    p.scope,
    p.year,
    p.province,
    p.city,
    p.county,
    p.department,
    p.unit,
    coalesce(p.unit_canonical, p.unit) AS unit_key,
    p.name,
    p.code,
    p.budget,
    p.executed,
    p.execution_rate,
    p.total_score_reported,
    s.total_expected,
    p.goal,
    coalesce(s.n_indicators, 0) AS n_indicators,
    coalesce(p.synthetic, false) AS synthetic
FROM p
LEFT JOIN project_scores s USING (project_id)
ORDER BY unit_key, p.year, p.kind, p.doc_id, p.seq, p.project_id
