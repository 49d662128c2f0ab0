-- v_kpi_collections_today: today's collections per cashier, with the day's total (a view of the
-- clerk's home page, not part of the contract; see docs/backoffice.md, "Home pages and KPIs").
--
-- GROUP BY ... WITH ROLLUP: a row per cashier (posted_by: staff:<login>, portal:..., batch:...),
-- and the row with cashier NULL is everybody's total. A cashier none of whose payments of today
-- stands (all reversed) has no row; no payment today that stands: no rows. "Today" is the
-- session's CURRENT_DATE (the day of paid_at).
--
-- Columns
--   cashier, payments, amount   payments paid today that stand (status 'posted'), their sum
-- Read from the kept figures (migration 0121: report_collections_part, the day's rows of
-- v_report_collections, exact at every moment), not from the payments: counting today's
-- payments read each one's row for posted_by, 0.58 s at 1M accounts with a day of 261,287
-- payments (bank files); today's kept rows are one range of ix_report_collections_part_day
-- (migration 0124), about a row per cashier and method once folded.
-- Example: SELECT payments, amount FROM v_kpi_collections_today WHERE cashier = 'staff:clara';
CREATE VIEW v_kpi_collections_today AS
SELECT s.cashier,
       CAST(SUM(s.payments) AS UNSIGNED) AS payments,
       CAST(SUM(s.amount) AS DECIMAL(14,2)) AS amount
  FROM report_collections_part s
 WHERE s.day = CURRENT_DATE
 GROUP BY s.cashier WITH ROLLUP
HAVING SUM(s.payments) > 0
