-- purpose: 模板雷同 — groups of near-identical indicator texts that touch the filtered projects
-- grain: one row per template cluster with at least one member indicator in the filtered projects;
--        counts n_* are over the whole database (the point is sameness across units), n_in_filter
--        counts the members inside the filter
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic
-- used by: dashboard/pages/flags.py (tab 模板雷同, via data.template_clusters)
WITH p AS (
    SELECT p.*
    FROM projects p
    WHERE
        -- filters:begin (shared sidebar filters; an empty list or NULL means all)
        (len(CAST($years AS INTEGER[])) = 0 OR list_contains(CAST($years AS INTEGER[]), p.year))
        AND (len(CAST($provinces AS VARCHAR[])) = 0 OR list_contains(CAST($provinces AS VARCHAR[]), p.province))
        AND (len(CAST($cities AS VARCHAR[])) = 0 OR list_contains(CAST($cities AS VARCHAR[]), p.city))
        AND (len(CAST($counties AS VARCHAR[])) = 0 OR list_contains(CAST($counties AS VARCHAR[]), p.county))
        AND (len(CAST($units AS VARCHAR[])) = 0 OR list_contains(CAST($units AS VARCHAR[]), p.unit))
        AND (CAST($kind AS VARCHAR) IS NULL OR p.kind = CAST($kind AS VARCHAR))
        AND (CAST($synthetic AS BOOLEAN) IS NULL OR coalesce(p.synthetic, false) = CAST($synthetic AS BOOLEAN))
        -- filters:end
),
inside AS (
    SELECT m.cluster_id, count(*) AS n_in_filter
    FROM template_members m
    JOIN indicators i USING (indicator_id)
    JOIN p USING (project_id)
    GROUP BY m.cluster_id
)
SELECT
    c.cluster_id,
    c.representative,
    c.example,
    c.n_indicators,
    c.n_projects,
    c.n_units,
    c.n_years,
    c.units,
    inside.n_in_filter
FROM template_clusters c
JOIN inside USING (cluster_id)
ORDER BY c.n_units DESC, c.n_indicators DESC, c.n_projects DESC, c.cluster_id
