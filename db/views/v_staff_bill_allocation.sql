-- v_staff_bill_allocation: which payments paid a bill, and how much each has on it now (a helper
-- view of the staff bill page, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   bill_id, payment_id, receipt_no, method, paid_at, payment_status (posted / reversed)
--   allocated     the payment's net allocation to the bill: SUM of its allocation rows (0.00
--                 once the payment was reversed or the bill cancelled: the undoing rows have the
--                 opposite sign)
--   gross         the money the payment ever put on the bill (its positive rows)
--   first_at      when it first paid the bill (created_at of its first row)
-- One row per (bill, payment) with at least one allocation row.
-- Example: SELECT * FROM v_staff_bill_allocation WHERE bill_id = 42 ORDER BY payment_id;
CREATE VIEW v_staff_bill_allocation AS
SELECT a.bill_id,
       a.payment_id,
       receipt_no(p.payment_id, p.posted_at) AS receipt_no,
       p.method,
       p.paid_at,
       p.status AS payment_status,
       CAST(SUM(a.amount) AS DECIMAL(12,2)) AS allocated,
       CAST(SUM(IF(a.amount > 0, a.amount, 0)) AS DECIMAL(12,2)) AS gross,
       MIN(a.created_at) AS first_at
  FROM payment_allocation a
  JOIN payment p ON p.payment_id = a.payment_id
 GROUP BY a.bill_id, a.payment_id, p.payment_id, p.posted_at, p.method, p.paid_at, p.status
