-- v_staff_collections_cashier: the day's collections per cashier and method, with each
-- cashier's subtotal and the day's total (a helper view of the staff back office's collections
-- page and drawer close, not part of the contract; see docs/backoffice.md).
--
-- The kept figures of migration 0121 (report_collections_part, exact at every moment: the same
-- rows as v_report_collections), grouped three ways and put one after the other (UNION ALL):
-- a row per day, cashier and method; a row with method NULL is the cashier's subtotal of the
-- day; a row with cashier and method NULL is the day's total (cashier and method are never NULL
-- otherwise: NOT NULL columns). A key (cashier, day) whose figures add up to no payment has no
-- row, as in v_report_collections (figures never go below zero, so a subtotal has a row when
-- one of its keys has).
-- Same figures as counting the payments (day = DATE(paid_at), cashier = posted_by, a reversed
-- payment counts on the day it was paid, in reversed_*), which this view did until issue 24 §4
-- (5.5 s a day at 1M accounts). Not GROUP BY ... WITH ROLLUP: MariaDB 10.11 does not push a
-- day's condition into a rolled-up derived table, so every read grouped every day ever kept
-- (1.4 s for three years of 20 cashiers, measured); each branch here is grouped by day, so `WHERE day = ...` goes
-- into each branch and reads one range of ix_report_collections_part_day (migration 0124).
--
-- Columns
--   day (DATE(paid_at)), cashier (the payment's posted_by), method
--   payments, amount                    payments that stand (status 'posted') and their sum
--   reversed_payments, reversed_amount  payments of that day reversed later
--   payments_taken                      payments + reversed_payments: every payment of the row,
--                                       as many as the page's list of that day (and cashier) has
-- Example: SELECT * FROM v_staff_collections_cashier WHERE day = '2026-11-27';
CREATE VIEW v_staff_collections_cashier AS
SELECT s.day, s.cashier, s.method,
       CAST(SUM(s.payments) AS UNSIGNED) AS payments,
       CAST(SUM(s.amount) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(s.reversed_payments) AS UNSIGNED) AS reversed_payments,
       CAST(SUM(s.reversed_amount) AS DECIMAL(14,2)) AS reversed_amount,
       CAST(SUM(s.payments + s.reversed_payments) AS UNSIGNED) AS payments_taken
  FROM report_collections_part s
 GROUP BY s.day, s.cashier, s.method
HAVING SUM(s.payments + s.reversed_payments) > 0
UNION ALL
SELECT s.day, s.cashier, NULL,
       CAST(SUM(s.payments) AS UNSIGNED), CAST(SUM(s.amount) AS DECIMAL(14,2)),
       CAST(SUM(s.reversed_payments) AS UNSIGNED), CAST(SUM(s.reversed_amount) AS DECIMAL(14,2)),
       CAST(SUM(s.payments + s.reversed_payments) AS UNSIGNED)
  FROM report_collections_part s
 GROUP BY s.day, s.cashier
HAVING SUM(s.payments + s.reversed_payments) > 0
UNION ALL
SELECT s.day, NULL, NULL,
       CAST(SUM(s.payments) AS UNSIGNED), CAST(SUM(s.amount) AS DECIMAL(14,2)),
       CAST(SUM(s.reversed_payments) AS UNSIGNED), CAST(SUM(s.reversed_amount) AS DECIMAL(14,2)),
       CAST(SUM(s.payments + s.reversed_payments) AS UNSIGNED)
  FROM report_collections_part s
 GROUP BY s.day
HAVING SUM(s.payments + s.reversed_payments) > 0
