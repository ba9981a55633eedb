-- purpose: 模板雷同 — groups of near-identical indicator texts that touch the filtered projects
-- grain: one row per template cluster with at least one member indicator in the filtered projects
--        and at least $min_units units; counts n_* are over the whole database (the point is
--        sameness across units; a goal table and its own self-evaluation count as one project),
--        n_in_filter counts the members inside the filter
-- parameters: shared filters $years $provinces $cities $counties $units $kind $synthetic;
--             $min_units (2: templates shared by two or more units; 1: all);
--             $limit (the most widespread clusters first; n_clusters says how many there are in all)
-- used by: dashboard/views/flags.py (tab 模板雷同, via data.template_clusters)
WITH p AS (
    -- include: filtered_projects
),
c AS (
    SELECT * FROM template_clusters WHERE n_units >= CAST($min_units AS INTEGER)
),
inside AS (
    -- members carry their project (template_members.project_id): no join through the indicators
    SELECT m.cluster_id, count(*) AS n_in_filter
    FROM template_members m
    SEMI JOIN c USING (cluster_id)
    SEMI JOIN p USING (project_id)
    GROUP BY m.cluster_id
),
-- the ranking reads only the counts; the long texts are read for the clusters shown
ranked AS (
    SELECT c.cluster_id, c.n_indicators, c.n_projects, c.n_units, c.n_years, inside.n_in_filter
    FROM c
    JOIN inside USING (cluster_id)
    ORDER BY c.n_units DESC, c.n_indicators DESC, c.n_projects DESC, c.cluster_id
    LIMIT CAST($limit AS INTEGER)
)
SELECT
    r.cluster_id,
    c.representative,
    c.example,
    r.n_indicators,
    r.n_projects,
    r.n_units,
    r.n_years,
    c.units,
    c.min_similarity,
    r.n_in_filter,
    (SELECT count(*) FROM inside) AS n_clusters
FROM ranked r
JOIN template_clusters c USING (cluster_id)
ORDER BY r.n_units DESC, r.n_indicators DESC, r.n_projects DESC, r.cluster_id
