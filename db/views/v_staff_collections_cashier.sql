-- v_staff_collections_cashier: the day's collections per cashier and method, with each
-- cashier's subtotal and the day's total (a helper view of the staff back office's collections
-- page and drawer close, not part of the contract; see docs/backoffice.md).
--
-- The rows of v_report_collections (the kept figures of migration 0121: report_collections_part,
-- exact at every moment) with GROUP BY ... WITH ROLLUP (MySQL 8.4 and MariaDB 10.11): a row per
-- day, cashier and method; a row with method NULL is the cashier's subtotal of the day; a row
-- with cashier and method NULL is the day's total (cashier and method are never NULL otherwise:
-- NOT NULL columns); the row with day NULL (all days) is of no use and may be ignored.
-- Same figures as counting the payments (day = DATE(paid_at), cashier = posted_by, a reversed
-- payment counts on the day it was paid, in reversed_*), which this view did until issue 24 §4:
-- 5.5 s a day at 1M accounts; now a read of the kept rows, whatever the number of payments.
--
-- Columns
--   day (DATE(paid_at)), cashier (the payment's posted_by), method
--   payments, amount                    payments that stand (status 'posted') and their sum
--   reversed_payments, reversed_amount  payments of that day reversed later
--   payments_taken                      payments + reversed_payments: every payment of the key,
--                                       as many as the page's list of that day (and cashier) has
-- Example: SELECT * FROM v_staff_collections_cashier WHERE day = '2026-11-27';
CREATE VIEW v_staff_collections_cashier AS
SELECT c.day,
       c.cashier,
       c.method,
       CAST(SUM(c.payments) AS UNSIGNED) AS payments,
       CAST(SUM(c.amount) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(c.reversed_payments) AS UNSIGNED) AS reversed_payments,
       CAST(SUM(c.reversed_amount) AS DECIMAL(14,2)) AS reversed_amount,
       CAST(SUM(c.payments + c.reversed_payments) AS UNSIGNED) AS payments_taken
  FROM v_report_collections c
 GROUP BY c.day, c.cashier, c.method WITH ROLLUP
