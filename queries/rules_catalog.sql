-- purpose: the rule catalog — code, title, category, severity, the four doc sections and options
-- grain: one row per rule, in code order
-- parameters: none
-- used by: dashboard/pages/rules.py, flags.py (rule picker) (via data.rules_catalog)
SELECT
    r.rule,
    r.title,
    r.category,
    r.severity,
    r.description,
    r.why,
    r.example,
    r.remedy,
    r.options
FROM rules r
ORDER BY r.rule
