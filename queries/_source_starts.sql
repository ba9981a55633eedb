-- purpose: every line where an indicator or a project starts in the document (and sheet) of `me` (a fragment, not a query)
-- grain: one row per start line (column `line`)
-- parameters: none; the including query defines a CTE `me` with doc_id and source_sheet
-- used by: indicator_source_lines, flag_source_context (bounding an indicator's rows by the next start)
SELECT i.source_line AS line FROM indicators i, me
WHERE i.doc_id = me.doc_id AND i.source_sheet IS NOT DISTINCT FROM me.source_sheet
UNION ALL
SELECT p.source_line FROM projects p, me
WHERE p.doc_id = me.doc_id AND p.source_sheet IS NOT DISTINCT FROM me.source_sheet
