-- v_audit_subject: the audit rows that may concern each existing customer and account, found
-- by index (a helper view of the staff audit pages, not part of the contract; see
-- docs/backoffice.md). v_audit_log computes its customer_id and account_id from joins per
-- audit row, so `v_audit_log WHERE customer_id = 7` reads the whole trail (4.5M rows at 1M
-- accounts: 8-20 s); this view reaches the same rows from the customer's side, through
-- ix_account_customer, ix_audit_account and ix_audit_row, when the filter is pushed into each
-- branch (MariaDB and MySQL 8.4 push a derived table's WHERE into every SELECT of its UNION).
--
-- Columns
--   audit_id      an audit_log row
--   account_id    the account the row may concern (NULL for the customer's own rows)
--   customer_id   the customer it may concern
-- One row per way the audit row is reached (an audit_id may appear more than once). It is a
-- superset of v_audit_log's rows for a customer (or an account), not the definition: use it to
-- narrow v_audit_log and keep v_audit_log's own filter, which decides (the branches follow its
-- CASE: the event's account, the customer, the account, its discounts, its installations, and
-- the meters installed on it, whenever installed; a key is matched as the text the triggers
-- write, CAST(id AS CHAR), which record_audit_event also writes for customer and account).
-- Rows of customers and accounts that no longer exist are not reached (the audit page serves
-- existing ones only).
-- Example: SELECT DISTINCT audit_id FROM v_audit_subject WHERE customer_id = 7
--           ORDER BY audit_id DESC LIMIT 500;     -- then, with those ids:
--          SELECT * FROM v_audit_log WHERE customer_id = 7 AND audit_id IN (...)
--           ORDER BY audit_id DESC LIMIT 51;
--   (As one statement, audit_id IN (SELECT audit_id FROM v_audit_subject ...), the server may
--   read the whole trail backwards when the statistics of ix_audit_account say an account has
--   many rows, as they did right after the 1M bench's bulk load: 15-21 s. The audit page reads
--   the ids first; webapp/billing/selectors.py, audit_entries.)
CREATE VIEW v_audit_subject AS
-- events of the customer's accounts (payments, reversals, readings, one-account runs, ...)
SELECT l.audit_id, a.account_id, a.customer_id
  FROM account a
  JOIN audit_log l ON l.account_id = a.account_id
UNION ALL
-- the customer row itself, and web/portal events about the customer
SELECT l.audit_id, NULL, c.customer_id
  FROM customer c
  JOIN audit_log l
    ON l.table_name = 'customer'
   AND l.row_key = CAST(c.customer_id AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci
UNION ALL
-- the account rows
SELECT l.audit_id, a.account_id, a.customer_id
  FROM account a
  JOIN audit_log l
    ON l.table_name = 'account'
   AND l.row_key = CAST(a.account_id AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci
UNION ALL
-- the accounts' discounts
SELECT l.audit_id, a.account_id, a.customer_id
  FROM account a
  JOIN account_discount d ON d.account_id = a.account_id
  JOIN audit_log l
    ON l.table_name = 'account_discount'
   AND l.row_key = CAST(d.account_discount_id AS CHAR CHARACTER SET utf8mb4)
                   COLLATE utf8mb4_unicode_ci
UNION ALL
-- the accounts' meter installations
SELECT l.audit_id, a.account_id, a.customer_id
  FROM account a
  JOIN meter_installation i ON i.account_id = a.account_id
  JOIN audit_log l
    ON l.table_name = 'meter_installation'
   AND l.row_key = CAST(i.meter_installation_id AS CHAR CHARACTER SET utf8mb4)
                   COLLATE utf8mb4_unicode_ci
UNION ALL
-- the meters installed on the accounts (all their rows, written before or after installation)
SELECT l.audit_id, a.account_id, a.customer_id
  FROM account a
  JOIN meter_installation i ON i.account_id = a.account_id
  JOIN audit_log l
    ON l.table_name = 'meter'
   AND l.row_key = CAST(i.meter_id AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci
