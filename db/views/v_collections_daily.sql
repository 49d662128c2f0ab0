-- v_collections_daily: money collected per day and payment method, net of reversals.
--
-- Columns (contract): day (DATE(paid_at)), method,
--   payments  how many payments of that day and method still stand (status 'posted')
--   amount    their sum
-- More columns: reversed_payments, reversed_amount: payments of that day and method that were
-- reversed later (a bounced cheque). A reversed payment leaves the day it was paid on, so the
-- figures of a past day drop when one of its payments is reversed; a day whose payments were all
-- reversed shows payments = 0 and amount = 0.00 (docs/payments.md).
-- Read from the kept figures of the collections report (migration 0121; v_report_collections'
-- sources, summed over cashiers): exact at every moment, without reading every payment; a day
-- and method whose figures add up to no payment has no row.
-- Example: SELECT * FROM v_collections_daily WHERE day BETWEEN '2026-03-01' AND '2026-03-31';
CREATE VIEW v_collections_daily AS
SELECT s.day,
       s.method,
       CAST(SUM(s.payments) AS UNSIGNED) AS payments,
       CAST(SUM(s.amount) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(s.reversed_payments) AS UNSIGNED) AS reversed_payments,
       CAST(SUM(s.reversed_amount) AS DECIMAL(14,2)) AS reversed_amount
  FROM report_collections_part s
 GROUP BY s.day, s.method
HAVING SUM(s.payments) + SUM(s.reversed_payments) > 0
