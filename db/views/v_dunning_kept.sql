-- v_dunning_kept: the collectors' dunning list as the 5-minute job last took it
-- (refresh_dunning_snapshot, migrations 0134 and 0141): one row per account, with whom to call (a
-- view of the staff back office, not part of the contract; docs/notices.md, "The dunning list").
-- The page reads its rows in the list's order and each of them's figures now from v_dunning.
--
-- Columns
--   account_id, account_no, customer_id, customer_name, phone, email   as in v_dunning (now)
--   level_no, level, amount_overdue, oldest_due_date   v_dunning's, as they were when taken
-- Order: ORDER BY level_no DESC, amount_overdue DESC, account_id (the list's) reads
-- ix_dunning_snapshot_account_order, so a page's 50 rows are the next 50 entries of an index. The
-- account and customer are LEFT JOINed, nested (the foreign keys make them exist), so that a
-- query that reads none of their columns reads neither (MariaDB's table elimination; one after
-- the other, it kept the account): the page picks its account ids from the index alone, then
-- reads those rows.
-- Example: SELECT * FROM v_dunning_kept ORDER BY level_no DESC, amount_overdue DESC, account_id
--          LIMIT 50;
CREATE VIEW v_dunning_kept AS
SELECT k.account_id, a.account_no, c.customer_id, c.full_name AS customer_name,
       c.phone, c.email, k.level_no,
       ELT(k.level_no + 1, 'none', 'overdue_1', 'overdue_2', 'final_notice') AS level,
       k.amount_overdue, k.oldest_due_date
  FROM dunning_snapshot_account k
  LEFT JOIN (account a LEFT JOIN customer c ON c.customer_id = a.customer_id)
         ON a.account_id = k.account_id
