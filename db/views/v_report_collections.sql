-- v_report_collections: money collected per day, cashier and payment method, net of reversals
-- (a report view of the staff back office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   day (DATE(paid_at)), cashier (the payment's posted_by: staff:<login>, portal:..., batch:...),
--   method
--   payments, amount                    payments that stand (status 'posted') and their sum
--   reversed_payments, reversed_amount  payments of that day reversed later
-- The rows of a day and method add up to v_collections_daily's row (same payments, split by
-- cashier).
--
-- Read from the kept figures (migration 0121): report_collections_part, the rows
-- fold_report_deltas folded and the deltas appended since by each posting, bank-file segment
-- and reversal in its own transaction; exact at every moment. A key whose figures add up to no
-- payment at all has no row (as a day without payments had none).
-- tests/db/test_report_totals.py checks it against payment.
-- Example: SELECT * FROM v_report_collections WHERE day BETWEEN '2026-11-01' AND '2026-11-30';
CREATE VIEW v_report_collections AS
SELECT s.day,
       s.cashier,
       s.method,
       CAST(SUM(s.payments) AS UNSIGNED) AS payments,
       CAST(SUM(s.amount) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(s.reversed_payments) AS UNSIGNED) AS reversed_payments,
       CAST(SUM(s.reversed_amount) AS DECIMAL(14,2)) AS reversed_amount
  FROM report_collections_part s
 GROUP BY s.day, s.cashier, s.method
HAVING SUM(s.payments) + SUM(s.reversed_payments) > 0
