-- v_report_collections_recount: the collections report's figures counted again from the payments,
-- per day (DATE(paid_at)), cashier (posted_by) and method: what report_collections_part (migration
-- 0121) adds up to when every writer appended its delta. Read by v_ledger_integrity (its
-- report_collections check) and rebuild_report_totals; the report pages never read it.
--
-- Columns: day, cashier, method, payments and amount (status 'posted'), reversed_payments and
--   reversed_amount (status 'reversed').
-- Example: SELECT * FROM v_report_collections_recount WHERE day = '2026-11-30';
CREATE VIEW v_report_collections_recount AS
SELECT DATE(p.paid_at) AS day, p.posted_by AS cashier, p.method,
       SUM(p.status = 'posted') AS payments, SUM(IF(p.status = 'posted', p.amount, 0)) AS amount,
       SUM(p.status = 'reversed') AS reversed_payments,
       SUM(IF(p.status = 'reversed', p.amount, 0)) AS reversed_amount
  FROM payment p
 GROUP BY DATE(p.paid_at), p.posted_by, p.method
