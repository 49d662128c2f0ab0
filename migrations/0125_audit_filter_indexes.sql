-- The audit page's filters at 1M accounts (issue 24 §4; webapp/billing/selectors.py,
-- audit_entries). "What" matches an action or a table, "who" the start of the actor or of the
-- database user; the page shows the newest 50 matches. Read newest first from (column,
-- audit_id), each column a branch of the page's query, the server stops after 50 entries;
-- action and actor have such an index (migration 0025), table_name and db_user had not: the
-- server read every row of the table (1M customer rows) and sorted them, or read the trail
-- backwards to the oldest (a who that matched no one: all 4.5M rows, 1.4 s).
--   ix_audit_table    (table_name, audit_id): "what" = a table; ix_audit_row (table_name,
--                     row_key) stays for the row lookups (v_audit_subject)
--   ix_audit_db_user  (db_user, audit_id): "who" = a database user
-- Cost: two more index entries per audit row written (every posting writes one), each
-- appended at the end of its value's range (few tables, few database users). Built in place
-- at 1M accounts (4.5M audit rows) in about 10 s; the table stays readable and writable.
ALTER TABLE audit_log
  ADD INDEX ix_audit_table (table_name, audit_id),
  ADD INDEX ix_audit_db_user (db_user, audit_id);
