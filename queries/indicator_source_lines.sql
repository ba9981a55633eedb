-- purpose: the source lines an indicator was read from — its first line up to the line before
--          the next indicator or project of the same document (sheet), at most 60 lines
-- grain: one row per source line (line number and phone-masked text)
-- parameters: $indicator_id
-- used by: dashboard/pages/drilldown.py (indicator view, via data.indicator_source_lines)
WITH me AS (
    SELECT i.doc_id, i.source_line, i.source_sheet
    FROM indicators i
    WHERE i.indicator_id = CAST($indicator_id AS VARCHAR)
),
starts AS (
    -- include: source_starts
),
bounds AS (
    SELECT
        me.doc_id,
        me.source_sheet,
        me.source_line AS first_line,
        least(
            coalesce((SELECT min(s.line) FROM starts s WHERE s.line > me.source_line) - 1, me.source_line + 5),
            me.source_line + 59
        ) AS last_line
    FROM me
)
SELECT l.line, l.text
FROM source_lines l, bounds b
WHERE l.doc_id = b.doc_id
  AND l.line BETWEEN b.first_line AND b.last_line
  -- xlsx lines are stored as "[sheet] cells" with the Excel row as the line number
  AND (b.source_sheet IS NULL OR starts_with(l.text, '[' || b.source_sheet || ']'))
ORDER BY l.line
