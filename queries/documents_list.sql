-- purpose: the loaded documents, those that need attention first, with the unit and region they
--          are about (the same file name repeats across counties); no document text, no contact columns
-- grain: one row per document
-- parameters: none
-- used by: dashboard/views/documents.py (via data.documents)
-- note: attention 0 failed, 1 partial, 2 loaded but not fully understood (confidence < 1),
--       3 fine; unit = the canonical unit(s) of the document's projects, region and year the
--       most frequent (region, year) among them — both from document_units, grouped from the
--       projects once in derive, not on every visit; one document's parse report and line count:
--       document_detail
SELECT
    d.doc_id,
    d.source_path,
    d.file_type,
    d.kind,
    d.layout,
    d.status,
    d.message,
    d.confidence,
    CASE
        WHEN d.status = 'failed' THEN 0
        WHEN d.status = 'partial' THEN 1
        WHEN coalesce(d.confidence, 1) < 1 THEN 2
        ELSE 3
    END AS attention,
    u.unit,
    u.province,
    u.city,
    u.county,
    u.year,
    d.n_projects,
    d.n_indicators,
    d.encoding,
    d.size_bytes,
    coalesce(d.synthetic, false) AS synthetic,
    d.loaded_at
FROM documents d
LEFT JOIN document_units u USING (doc_id)
ORDER BY attention, d.confidence NULLS LAST, d.loaded_at DESC, d.source_path
