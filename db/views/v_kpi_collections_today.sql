-- v_kpi_collections_today: today's collections per cashier, with the day's total (a view of the
-- clerk's home page, not part of the contract; see docs/backoffice.md, "Home pages and KPIs").
--
-- GROUP BY ... WITH ROLLUP: a row per cashier (posted_by: staff:<login>, portal:..., batch:...),
-- and the row with cashier NULL is everybody's total (posted_by is NOT NULL). No payment today:
-- no rows. "Today" is the session's CURRENT_DATE (paid_at from its midnight to the next).
--
-- Columns
--   cashier, payments, amount   payments paid today that stand (status 'posted'), their sum
-- Speed: one range of payment (paid_at, status, amount) (migration 0093), today's rows only.
-- Example: SELECT payments, amount FROM v_kpi_collections_today WHERE cashier = 'staff:clara';
CREATE VIEW v_kpi_collections_today AS
SELECT p.posted_by AS cashier,
       CAST(COUNT(*) AS UNSIGNED) AS payments,
       CAST(SUM(p.amount) AS DECIMAL(14,2)) AS amount
  FROM payment p
 WHERE p.paid_at >= CURRENT_DATE AND p.paid_at < CURRENT_DATE + INTERVAL 1 DAY
   AND p.status = 'posted'
 GROUP BY p.posted_by WITH ROLLUP
