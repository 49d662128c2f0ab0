-- v_collections_daily: money collected per day and payment method, net of reversals.
--
-- Columns (contract): day (DATE(paid_at)), method,
--   payments  how many payments of that day and method still stand (status 'posted')
--   amount    their sum
-- More columns: reversed_payments, reversed_amount: payments of that day and method that were
-- reversed later (a bounced cheque). A reversed payment leaves the day it was paid on, so the
-- figures of a past day drop when one of its payments is reversed; a day whose payments were all
-- reversed shows payments = 0 and amount = 0.00 (docs/payments.md).
-- It is v_report_collections (the kept figures of migration 0121: exact at every moment,
-- without reading every payment) summed over cashiers, as that view's header says.
-- Example: SELECT * FROM v_collections_daily WHERE day BETWEEN '2026-03-01' AND '2026-03-31';
CREATE VIEW v_collections_daily AS
SELECT c.day,
       c.method,
       CAST(SUM(c.payments) AS UNSIGNED) AS payments,
       CAST(SUM(c.amount) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(c.reversed_payments) AS UNSIGNED) AS reversed_payments,
       CAST(SUM(c.reversed_amount) AS DECIMAL(14,2)) AS reversed_amount
  FROM v_report_collections c
 GROUP BY c.day, c.method
