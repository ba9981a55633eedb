-- purpose: the values the shared sidebar filters offer (年度, 省/市/县, 单位, 表类型, 数据来源)
-- grain: one row per distinct (year, province, city, county, unit, kind, synthetic) with its project count;
--        unit is the canonical name (projects.unit_canonical), as the shared filter compares it
-- parameters: none
-- used by: dashboard/filters.py (via data.filter_options)
SELECT
    p.year,
    p.province,
    p.city,
    p.county,
    coalesce(p.unit_canonical, p.unit) AS unit,
    p.kind,
    coalesce(p.synthetic, false) AS synthetic,
    count(*) AS n_projects
FROM projects p
GROUP BY ALL
ORDER BY p.province NULLS LAST, p.city NULLS LAST, p.county NULLS LAST, unit NULLS LAST, p.year, p.kind
