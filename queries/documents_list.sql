-- purpose: the loaded documents with their parse status and counts (no document text, no contact columns)
-- grain: one row per document, newest load first
-- parameters: none
-- used by: dashboard/pages/documents.py (via data.documents)
SELECT
    d.doc_id,
    d.source_path,
    d.file_type,
    d.kind,
    d.layout,
    d.status,
    d.message,
    d.n_projects,
    d.n_indicators,
    d.encoding,
    d.size_bytes,
    coalesce(d.synthetic, false) AS synthetic,
    d.loaded_at,
    d.parse_report,
    (SELECT count(*) FROM source_lines l WHERE l.doc_id = d.doc_id) AS n_lines
FROM documents d
ORDER BY d.loaded_at DESC, d.source_path
