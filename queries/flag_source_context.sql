-- purpose: the source lines a flag points at, with its indicator table's header rows as context:
--          'header'  = the last filled rows before the project's first indicator (the table's
--                      header rows and what stands just above them; for a flag about the whole
--                      project, its rows from its first line up to the first indicator);
--          'before'  = the two filled rows just before the flagged indicator;
--          'flagged' = the flagged indicator's own rows (up to the next indicator or project).
-- grain: one row per source line (line, phone-masked text, part), in line order
-- parameters: $project_id; $indicator_id ('' for a flag about the whole project)
-- used by: dashboard/views/flags.py, drilldown.py (via data.flag_source_context)
WITH p AS (
    SELECT doc_id, source_line, source_sheet FROM projects WHERE project_id = CAST($project_id AS VARCHAR)
),
ind AS (
    SELECT source_line FROM indicators
    WHERE indicator_id = CAST($indicator_id AS VARCHAR) AND project_id = CAST($project_id AS VARCHAR)
),
first_ind AS (
    SELECT min(i.source_line) AS line FROM indicators i, p
    WHERE i.project_id = CAST($project_id AS VARCHAR) AND i.source_sheet IS NOT DISTINCT FROM p.source_sheet
),
me AS (SELECT doc_id, source_sheet FROM p),
starts AS (
    -- include: source_starts
),
lines AS (
    SELECT
        l.line,
        l.text,
        -- a row is filled when a cell holds something (xlsx rows start with "[sheet] ")
        trim(replace(regexp_replace(l.text, '^\[[^\]]*\]', ''), chr(9), '')) <> '' AS filled
    FROM source_lines l, p
    WHERE l.doc_id = p.doc_id
      AND (p.source_sheet IS NULL OR starts_with(l.text, '[' || p.source_sheet || ']'))
),
header AS (
    SELECT l.line, l.text, 'header' AS part
    FROM lines l, p, first_ind f
    WHERE l.filled AND l.line >= p.source_line AND l.line < coalesce(f.line, p.source_line + 40)
    QUALIFY row_number() OVER (ORDER BY l.line DESC) <= CASE WHEN CAST($indicator_id AS VARCHAR) = '' THEN 40 ELSE 8 END
),
before AS (
    SELECT l.line, l.text, 'before' AS part
    FROM lines l, ind, first_ind f
    WHERE l.filled AND l.line < ind.source_line AND l.line >= f.line
    QUALIFY row_number() OVER (ORDER BY l.line DESC) <= 2
),
flagged AS (
    SELECT l.line, l.text, 'flagged' AS part
    FROM lines l, ind
    WHERE l.line >= ind.source_line
      AND l.line <= least(
          coalesce((SELECT min(s.line) FROM starts s WHERE s.line > ind.source_line) - 1, ind.source_line + 5),
          ind.source_line + 59)
)
SELECT line, text, part FROM (
    SELECT * FROM header UNION ALL SELECT * FROM before UNION ALL SELECT * FROM flagged
)
ORDER BY line
