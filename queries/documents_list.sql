-- purpose: the loaded documents, those that need attention first, with the unit and region they
--          are about (the same file name repeats across counties); no document text, no contact columns
-- grain: one row per document
-- parameters: none
-- used by: dashboard/views/documents.py (via data.documents)
-- note: attention 0 failed, 1 partial, 2 loaded but not fully understood (confidence < 1),
--       3 fine; unit = the canonical unit(s) of the document's projects, region and year the
--       most frequent (region, year) among them; one document's parse report and line count:
--       document_detail
WITH units AS (
    SELECT doc_id,
           string_agg(DISTINCT coalesce(unit_canonical, unit), '、' ORDER BY coalesce(unit_canonical, unit)) AS unit
    FROM projects
    GROUP BY doc_id
),
places AS (
    SELECT doc_id, province, city, county, year, count(*) AS n FROM projects GROUP BY ALL
),
per_doc AS (
    SELECT doc_id, arg_max({'province': province, 'city': city, 'county': county, 'year': year}, n) AS w
    FROM places
    GROUP BY doc_id
)
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
    w.w.province,
    w.w.city,
    w.w.county,
    w.w.year,
    d.n_projects,
    d.n_indicators,
    d.encoding,
    d.size_bytes,
    coalesce(d.synthetic, false) AS synthetic,
    d.loaded_at
FROM documents d
LEFT JOIN units u USING (doc_id)
LEFT JOIN per_doc w USING (doc_id)
ORDER BY attention, d.confidence NULLS LAST, d.loaded_at DESC, d.source_path
