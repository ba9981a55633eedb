-- purpose: the drill-down's project view — every indicator of one project with its levels, values and scores
-- grain: one row per indicator of project $project_id, in document order
-- parameters: $project_id
-- used by: dashboard/pages/drilldown.py (via data.project_indicators)
SELECT
    i.indicator_id,
    i.project_id,
    i.doc_id,
    i.seq,
    i.level1,
    i.level2,
    i.level1_raw,
    i.level2_raw,
    i.level1_points,
    i.name,
    i.description,
    i.target_raw,
    i.target_op,
    i.target_value,
    i.target_unit,
    i.declared_type,
    i.is_quantitative,
    i.weight,
    i.actual_raw,
    i.actual_value,
    i.actual_unit,
    i.score_reported,
    i.score_expected,
    i.scoring_rule,
    i.last_year_raw,
    i.last_year_value,
    i.basis,
    i.evidence,
    i.reason,
    i.source_line,
    i.source_sheet,
    (SELECT count(*) FROM flags f WHERE f.indicator_id = i.indicator_id) AS n_flags_all
FROM indicators i
WHERE i.project_id = CAST($project_id AS VARCHAR)
ORDER BY i.seq, i.indicator_id
