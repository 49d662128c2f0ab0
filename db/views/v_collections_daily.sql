-- v_collections_daily: money collected per day and payment method, net of reversals.
--
-- Columns (contract): day (DATE(paid_at)), method,
--   payments  how many payments of that day and method still stand (status 'posted')
--   amount    their sum
-- More columns: reversed_payments, reversed_amount: payments of that day and method that were
-- reversed later (a bounced cheque). A reversed payment leaves the day it was paid on, so the
-- figures of a past day drop when one of its payments is reversed; a day whose payments were all
-- reversed shows payments = 0 and amount = 0.00 (docs/payments.md).
-- Example: SELECT * FROM v_collections_daily WHERE day BETWEEN '2026-03-01' AND '2026-03-31';
CREATE VIEW v_collections_daily AS
SELECT DATE(p.paid_at) AS day,
       p.method,
       CAST(SUM(p.status = 'posted') AS UNSIGNED) AS payments,
       CAST(SUM(IF(p.status = 'posted', p.amount, 0)) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(p.status = 'reversed') AS UNSIGNED) AS reversed_payments,
       CAST(SUM(IF(p.status = 'reversed', p.amount, 0)) AS DECIMAL(14,2)) AS reversed_amount
  FROM payment p
 GROUP BY DATE(p.paid_at), p.method
