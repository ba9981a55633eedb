-- purpose: the database's version bookkeeping (base_version, derived_version, mask_version), to tell
--          derived tables left stale by an interrupted load from current ones
-- grain: one row per meta key
-- parameters: none
-- used by: dashboard/data.py (data.notice, shown on every page when the derived tables are stale)
SELECT key, value
FROM meta
ORDER BY key
