-- purpose: the tables present in the database, to tell a missing or outdated database from a good one
-- grain: one row per table or view in the main schema
-- parameters: none
-- used by: dashboard/data.py (data.problem, shown on every page when something is missing)
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'main'
ORDER BY table_name
