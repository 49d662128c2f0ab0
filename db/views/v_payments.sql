-- v_payments: every payment with its receipt number and how much of it is on bills.
--
-- Columns (contract): payment_id, receipt_no, account_id, amount, method, paid_at,
--   allocated    the payment's net allocations (payment.amount_allocated; 0 once reversed)
--   unallocated  amount - allocated - refunded while posted (account credit); 0 when reversed
--   status       posted or reversed
--   refunded     the part of the payment paid back by refunds (refund_credit)
-- More columns: posted_at, posted_by, reversed_at, reversed_by, reversal_reason.
-- Example: SELECT receipt_no, amount, unallocated FROM v_payments WHERE account_id = 7;
CREATE VIEW v_payments AS
SELECT p.payment_id,
       receipt_no(p.payment_id, p.posted_at) AS receipt_no,
       p.account_id,
       p.amount,
       p.method,
       p.paid_at,
       p.amount_allocated AS allocated,
       CAST(IF(p.status = 'posted', p.amount - p.amount_allocated - p.amount_refunded, 0) AS DECIMAL(12,2))
           AS unallocated,
       p.status,
       p.amount_refunded AS refunded,
       p.posted_at,
       p.posted_by,
       p.reversed_at,
       p.reversed_by,
       p.reversal_reason
  FROM payment p
