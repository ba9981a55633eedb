-- purpose: the flags of the filtered projects with rule title, unit, project, indicator and status now
-- grain: one row per flag
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic;
--             $rules (rule codes, empty = all), $severities (高/中/低, empty = all),
--             $status ('open' / 'waived', '' = all); $top rows from row $offset on, in display order
--             (NULL = all: the page shows one page of jixiao.queries.PAGE_ROWS and fetches every flag
--             only for a download or an accept-all)
-- used by: dashboard/views/flags.py, the review of every flag (via data.flags; status from the waiver log)
WITH fs AS (
    -- include: flag_status
),
-- the page's rows first, by their ids and order only; their text is fetched for those rows
-- (carrying every message through the joins and the sort cost twice as much)
picked AS (
    -- the flags of the filtered projects with their order from flag_context (filtered_flags), not
    -- every flag joined to the 112,623 projects on their string ids
    SELECT f.flag_id, f.display_order
    FROM (
        -- include: filtered_flags
    ) f
    WHERE (len(CAST($rules AS VARCHAR[])) = 0 OR list_contains(CAST($rules AS VARCHAR[]), f.rule))
      AND (len(CAST($severities AS VARCHAR[])) = 0 OR list_contains(CAST($severities AS VARCHAR[]), f.severity))
      AND (CAST($status AS VARCHAR) = '' OR f.status = CAST($status AS VARCHAR))
    -- flag_context.display_order: rule, unit, year, project name, indicator (project-wide flags
    -- first), flag id — ranked once in derive, so a filter keeps the order without sorting text
    ORDER BY f.display_order
    LIMIT CAST($top AS BIGINT) OFFSET CAST($offset AS BIGINT)
)
SELECT
    f.flag_id,
    f.rule,
    r.title AS rule_title,
    r.category AS rule_category,
    f.severity,
    f.doc_id,
    f.project_id,
    f.indicator_id,
    -- the project's region, canonical unit, year, kind and name as derive copied them to flag_context
    -- (not the 112,623 projects scanned for a page's ids)
    c.province,
    c.city,
    c.county,
    coalesce(c.unit_canonical, c.unit) AS unit,
    c.year,
    c.kind,
    c.project_name,
    c.indicator_seq,
    c.indicator_name,
    f.message,
    f.status,
    f.waiver_reason,
    f.waiver_reviewer,
    f.waived_at
FROM picked k
JOIN fs f USING (flag_id)
LEFT JOIN rules r USING (rule)
LEFT JOIN flag_context c USING (flag_id)
ORDER BY k.display_order
