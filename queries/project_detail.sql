-- purpose: the drill-down's project view header — one project's fields and its source document
-- grain: one row (the project $project_id), none when unknown
-- parameters: $project_id
-- used by: dashboard/pages/drilldown.py, project.py (via data.project_detail); `unit` as written,
--          `unit_canonical` the unit every comparison uses
SELECT
    p.project_id,
    p.doc_id,
    p.kind,
    p.year,
    p.province,
    p.city,
    p.county,
    p.department,
    p.unit,
    coalesce(p.unit_canonical, p.unit) AS unit_canonical,
    p.name,
    p.code,
    p.budget,
    p.executed,
    p.execution_rate,
    p.fund_fiscal,
    p.fund_carryover,
    p.fund_other,
    p.budget_points,
    p.budget_score_reported,
    s.budget_score_expected,
    p.total_score_reported,
    s.total_expected,
    s.indicator_score_reported_sum,
    s.indicator_score_expected_sum,
    s.weight_sum,
    p.fund_use,
    p.spend_plan,
    p.goal,
    p.goal_summary,
    p.region_note,
    coalesce(p.synthetic, false) AS synthetic,
    p.source_line,
    p.source_sheet,
    d.source_path
FROM projects p
LEFT JOIN project_scores s USING (project_id)
LEFT JOIN documents d USING (doc_id)
WHERE p.project_id = CAST($project_id AS VARCHAR)
