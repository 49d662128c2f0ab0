-- v_staff_collections_cashier: the day's collections per cashier and method, with each
-- cashier's subtotal and the day's total (a helper view of the staff back office's collections
-- page and drawer close, not part of the contract; see docs/backoffice.md).
--
-- GROUP BY ... WITH ROLLUP (MySQL 8.4 and MariaDB 10.11): a row per day, cashier and method;
-- a row with method NULL is the cashier's subtotal of the day; a row with cashier and method
-- NULL is the day's total (cashier and method are never NULL otherwise: NOT NULL columns);
-- the row with day NULL (all days) is of no use and may be ignored.
--
-- Columns
--   day (DATE(paid_at)), cashier (the payment's posted_by), method
--   payments, amount                    payments that stand (status 'posted') and their sum
--   reversed_payments, reversed_amount  payments of that day reversed later
-- Example: SELECT * FROM v_staff_collections_cashier WHERE day = '2026-11-27';
CREATE VIEW v_staff_collections_cashier AS
SELECT DATE(p.paid_at) AS day,
       p.posted_by AS cashier,
       p.method,
       CAST(SUM(p.status = 'posted') AS UNSIGNED) AS payments,
       CAST(SUM(IF(p.status = 'posted', p.amount, 0)) AS DECIMAL(14,2)) AS amount,
       CAST(SUM(p.status = 'reversed') AS UNSIGNED) AS reversed_payments,
       CAST(SUM(IF(p.status = 'reversed', p.amount, 0)) AS DECIMAL(14,2)) AS reversed_amount
  FROM payment p
 GROUP BY DATE(p.paid_at), p.posted_by, p.method WITH ROLLUP
