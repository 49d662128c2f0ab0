-- v_refunds: every refund of unallocated credit (refund_credit), with the payments it came from.
--
-- Columns (contract): refund_id, account_id, account_no, amount, method, refunded_at, actor.
--   Also: idempotency_key, customer_id, payment_ids (the payments the money was taken from, in
--   payment id order, comma-separated).
-- Example: SELECT * FROM v_refunds WHERE account_id = 7 ORDER BY refund_id;
CREATE VIEW v_refunds AS
SELECT r.refund_id, r.account_id, a.account_no, r.amount, r.method, r.refunded_at, r.actor,
       CONVERT(r.idempotency_key USING utf8mb4) AS idempotency_key, a.customer_id,
       (SELECT GROUP_CONCAT(rp.payment_id ORDER BY rp.payment_id SEPARATOR ',')
          FROM refund_part rp WHERE rp.refund_id = r.refund_id) AS payment_ids
FROM refund r
JOIN account a ON a.account_id = r.account_id
