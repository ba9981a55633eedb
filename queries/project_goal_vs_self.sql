-- purpose: one project's goal table beside its self-evaluation, indicator by indicator (the project view)
-- grain: one row per indicator of the pair: linked goal/self indicators side by side, then goal-only
--        (status 'missing') and self-only (status 'added') ones; $project_id may be either document's project
-- parameters: $project_id
-- used by: dashboard/views/project.py (via data.project_goal_vs_self); changes come from the JX501-JX503 flags,
--          not recomputed
WITH sel AS (
    SELECT project_id, kind FROM projects WHERE project_id = CAST($project_id AS VARCHAR)
),
pair AS (
    SELECT l.goal_project_id, l.self_eval_project_id
    FROM project_links l, sel
    WHERE l.goal_project_id = sel.project_id OR l.self_eval_project_id = sel.project_id
    UNION ALL
    -- an unpaired project is shown alone
    SELECT CASE WHEN sel.kind = 'goal' THEN sel.project_id END, CASE WHEN sel.kind = 'self_eval' THEN sel.project_id END
    FROM sel
    WHERE NOT EXISTS (SELECT 1 FROM project_links l
                      WHERE l.goal_project_id = sel.project_id OR l.self_eval_project_id = sel.project_id)
),
ids AS (
    SELECT goal_project_id AS project_id FROM pair WHERE goal_project_id IS NOT NULL
    UNION SELECT self_eval_project_id FROM pair WHERE self_eval_project_id IS NOT NULL
),
-- the two projects' indicators, read once
pi AS (SELECT i.* FROM indicators i WHERE i.project_id IN (SELECT project_id FROM ids)),
g AS (SELECT pi.* FROM pi JOIN pair ON pi.project_id = pair.goal_project_id),
s AS (SELECT pi.* FROM pi JOIN pair ON pi.project_id = pair.self_eval_project_id),
il AS (
    SELECT l.* FROM indicator_links l
    WHERE l.link_kind = 'goal_self' AND l.left_project_id IN (SELECT goal_project_id FROM pair)
),
fl AS (
    SELECT indicator_id, string_agg(rule, ',' ORDER BY rule) AS rules,
           CASE WHEN bool_or(severity = '高') THEN '高' WHEN bool_or(severity = '中') THEN '中' ELSE '低' END AS severity,
           string_agg(message, '；' ORDER BY rule) AS messages,
           bool_or(rule = 'JX501') AS target_changed,
           bool_or(rule = 'JX501' AND severity = '高') AS target_easier,
           bool_or(rule = 'JX503') AS weight_changed
    FROM flags
    WHERE project_id IN (SELECT project_id FROM ids) AND rule IN ('JX501', 'JX502', 'JX503') AND indicator_id IS NOT NULL
    GROUP BY indicator_id
),
rows AS (
    SELECT g.indicator_id AS goal_indicator_id, il.right_indicator_id AS self_indicator_id, il.method, il.similarity
    FROM g LEFT JOIN il ON il.left_indicator_id = g.indicator_id
    UNION ALL
    SELECT NULL, s.indicator_id, NULL, NULL FROM s
    WHERE s.indicator_id NOT IN (SELECT right_indicator_id FROM il)
)
SELECT
    CASE WHEN r.goal_indicator_id IS NULL THEN 'added'
         WHEN r.self_indicator_id IS NULL AND (SELECT count(*) FROM s) > 0 THEN 'missing'
         WHEN r.self_indicator_id IS NULL THEN 'goal_only'
         ELSE 'linked' END AS status,
    coalesce(gi.level1, si.level1) AS level1,
    coalesce(gi.level2, si.level2) AS level2,
    coalesce(nullif(gi.name, ''), si.name) AS name,
    gi.target_raw AS goal_target,
    gi.weight AS goal_weight,
    si.target_raw AS self_target,
    si.weight AS self_weight,
    si.actual_raw,
    si.score_reported,
    si.score_expected,
    coalesce(fs.rules, fg.rules) AS change_rules,
    coalesce(fs.severity, fg.severity) AS change_severity,
    coalesce(fs.messages, fg.messages) AS change_messages,
    -- what changed, for highlighting: the target (JX501; easier = its high severity), the weight (JX503)
    coalesce(fs.target_changed, fg.target_changed, false) AS target_changed,
    coalesce(fs.target_easier, fg.target_easier, false) AS target_easier,
    coalesce(fs.weight_changed, fg.weight_changed, false) AS weight_changed,
    r.method AS link_method,
    r.similarity AS link_similarity,
    r.goal_indicator_id,
    r.self_indicator_id,
    gi.source_line AS goal_source_line,
    si.source_line AS self_source_line
FROM rows r
LEFT JOIN pi gi ON gi.indicator_id = r.goal_indicator_id
LEFT JOIN pi si ON si.indicator_id = r.self_indicator_id
LEFT JOIN fl fg ON fg.indicator_id = r.goal_indicator_id
LEFT JOIN fl fs ON fs.indicator_id = r.self_indicator_id
ORDER BY coalesce(gi.seq, 100000 + si.seq), si.seq
