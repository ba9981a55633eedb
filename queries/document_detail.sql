-- purpose: one document's parse report and how many source lines it has (what the documents page
--          shows for the selected document; the list leaves them out)
-- grain: one row (none for an unknown document)
-- parameters: $doc_id
-- used by: dashboard/views/documents.py (via data.document_detail)
SELECT
    d.doc_id,
    d.parse_report,
    (SELECT count(*) FROM source_lines s WHERE s.doc_id = d.doc_id) AS n_lines
FROM documents d
WHERE d.doc_id = CAST($doc_id AS VARCHAR)
