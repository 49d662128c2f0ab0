-- v_staff_aging_kept: the aging report as the 5-minute job last took it (refresh_aging_snapshot,
-- migration 0140): v_report_aging's rows in the report's order, with the figures as they were
-- then (a view of the staff back office, not part of the contract; docs/backoffice.md,
-- "Reports").
--
-- Columns
--   rank_no                                              the position in the report (1 first)
--   account_id, account_no, customer_id, customer_name, phone   as in v_report_aging (now)
--   tariff_code                                          the account's tariff when taken
--   not_due, d1_30, d31_60, d61_90, d90_plus, total_open, overdue   as in v_report_aging, when
--                                                        taken (the days counted from as_of)
-- Speed: a page is a range of the primary key (rank_no) and one primary-key look-up of the
-- account and of the customer per row. The account and the customer are LEFT JOINed, nested (the
-- foreign keys make them exist), so that MariaDB leaves both out of a query that reads none of
-- their columns (table elimination; written one after the other, it kept the account): a
-- filtered page picks its rank_no values first (for one tariff from (tariff_code, rank_no), 0.1 s
-- at 1M rows and an offset of 500,000), then reads those rows.
-- Example: SELECT * FROM v_staff_aging_kept WHERE tariff_code = 'RES' ORDER BY rank_no LIMIT 50;
CREATE VIEW v_staff_aging_kept AS
SELECT k.rank_no, k.account_id, a.account_no, c.customer_id, c.full_name AS customer_name,
       c.phone, k.tariff_code, k.not_due, k.d1_30, k.d31_60, k.d61_90, k.d90_plus,
       k.total_open, CAST(k.total_open - k.not_due AS DECIMAL(14,2)) AS overdue
  FROM aging_snapshot_account k
  LEFT JOIN (account a LEFT JOIN customer c ON c.customer_id = a.customer_id)
         ON a.account_id = k.account_id
