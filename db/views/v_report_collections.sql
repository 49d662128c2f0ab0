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
-- Example: SELECT * FROM v_report_collections WHERE day BETWEEN '2026-11-01' AND '2026-11-30';
CREATE VIEW v_report_collections AS
SELECT DATE(p.paid_at) AS day,
       p.posted_by AS cashier,
       p.method,
       CAST(SUM(p.status = 'posted') AS UNSIGNED) AS payments,
       CAST(SUM(IF(p.status = 'posted', p.amount, 0)) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(p.status = 'reversed') AS UNSIGNED) AS reversed_payments,
       CAST(SUM(IF(p.status = 'reversed', p.amount, 0)) AS DECIMAL(14,2)) AS reversed_amount
  FROM payment p
 GROUP BY DATE(p.paid_at), p.posted_by, p.method
