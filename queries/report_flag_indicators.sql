-- purpose: the indicators a review report quotes: those of the filtered projects that carry a flag
-- grain: one row per flagged indicator of the filtered projects
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: jixiao/report/model.py (jixiao report, and the dashboard's report downloads via data.report_file)
WITH p AS (
    -- include: filtered_projects
)
SELECT
    i.indicator_id,
    i.project_id,
    i.seq AS indicator_seq,
    i.name AS indicator_name,
    i.level1,
    i.level2
FROM indicators i
JOIN p USING (project_id)
WHERE i.indicator_id IN (SELECT f.indicator_id FROM flags f WHERE f.indicator_id IS NOT NULL)
ORDER BY i.project_id, i.seq
