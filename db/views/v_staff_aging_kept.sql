-- v_staff_aging_kept: the aging report as the 5-minute job last took it (refresh_aging_snapshot,
-- migration 0140): v_report_aging's rows with the figures as they were then (a view of the staff
-- back office, not part of the contract; docs/backoffice.md, "Reports").
--
-- Columns (as v_report_aging's)
--   account_id, account_no, customer_id, customer_name, phone   the account and customer (now)
--   tariff_code                                          the account's tariff when taken
--   not_due, d1_30, d31_60, d61_90, d90_plus, total_open, overdue   as in v_report_aging, when
--                                                        taken (the days counted from as_of)
-- Order: ORDER BY total_open DESC, account_id (the report's) reads ix_aging_snapshot_account_order,
-- and with tariff_code = ? ix_aging_snapshot_account_tariff, so a page's 50 rows are the next 50
-- entries of an index. The account and the customer are LEFT JOINed, nested (the foreign keys make
-- them exist), so that MariaDB leaves both out of a query that reads none of their columns (table
-- elimination; written one after the other, it kept the account): the page picks its account_id
-- values from the index alone (at 1M rows, an offset of 900,000 in 0.07 s), then reads those rows.
-- Example: SELECT * FROM v_staff_aging_kept WHERE tariff_code = 'RES'
--          ORDER BY total_open DESC, account_id LIMIT 50;
CREATE VIEW v_staff_aging_kept AS
SELECT k.account_id, a.account_no, c.customer_id, c.full_name AS customer_name, c.phone,
       k.tariff_code, k.not_due, k.d1_30, k.d31_60, k.d61_90, k.d90_plus, k.total_open,
       CAST(k.total_open - k.not_due AS DECIMAL(14,2)) AS overdue
  FROM aging_snapshot_account k
  LEFT JOIN (account a LEFT JOIN customer c ON c.customer_id = a.customer_id)
         ON a.account_id = k.account_id
