-- purpose: a document's source text (phone numbers already masked at ingest) with line numbers
-- grain: one row per source line of document $doc_id between $line_from and $line_to
-- parameters: $doc_id, $line_from, $line_to (inclusive line numbers)
-- used by: dashboard/pages/documents.py (via data.document_lines)
SELECT l.line, l.text
FROM source_lines l
WHERE l.doc_id = CAST($doc_id AS VARCHAR)
  AND l.line BETWEEN CAST($line_from AS INTEGER) AND CAST($line_to AS INTEGER)
ORDER BY l.line
