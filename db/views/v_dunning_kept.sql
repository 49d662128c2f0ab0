-- v_dunning_kept: the collectors' dunning list as the 5-minute job last took it
-- (refresh_dunning_snapshot, migration 0134): one row per account, in the list's order, with whom
-- to call (a view of the staff back office, not part of the contract; docs/notices.md, "The
-- dunning list"). The page reads its rows by rank_no and each of them's figures now from v_dunning.
--
-- Columns
--   rank_no                          the position in the list (1 first)
--   account_id, account_no, customer_id, customer_name, phone, email   as in v_dunning (now)
--   level_no, level, amount_overdue, oldest_due_date   v_dunning's, as they were when taken
-- Speed: a page is a range of the primary key (rank_no) and one primary-key look-up of the
-- account and of the customer per row. LEFT JOINs, nested (the foreign keys make them exist): a
-- count reads neither (MariaDB's table elimination; one after the other, it kept the account).
-- Example: SELECT * FROM v_dunning_kept WHERE rank_no BETWEEN 1 AND 50 ORDER BY rank_no;
CREATE VIEW v_dunning_kept AS
SELECT k.rank_no, k.account_id, a.account_no, c.customer_id, c.full_name AS customer_name,
       c.phone, c.email, k.level_no,
       ELT(k.level_no + 1, 'none', 'overdue_1', 'overdue_2', 'final_notice') AS level,
       k.amount_overdue, k.oldest_due_date
  FROM dunning_snapshot_account k
  LEFT JOIN (account a LEFT JOIN customer c ON c.customer_id = a.customer_id)
         ON a.account_id = k.account_id
