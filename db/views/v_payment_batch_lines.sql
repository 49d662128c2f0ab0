-- v_payment_batch_lines: every line of every payment batch (stage_payment_batch,
-- post_payment_batch) with what posting it did.
--
-- Columns (contract): batch_id, batch_ref, line_no, account_no, amount (the amount's text as
--   received), idempotency_key (as text), outcome (pending, posted, replayed, refused),
--   payment_id and receipt_no (the payment posted, or answered by a replay), errno and message
--   (a refused line's error). Also: amount_parsed (NULL when no valid amount), method, paid_at
--   (as received), batch_status, done_at.
-- Example: SELECT * FROM v_payment_batch_lines WHERE batch_id = 3 AND outcome = 'refused'
--          ORDER BY line_no;
CREATE VIEW v_payment_batch_lines AS
SELECT l.batch_id, b.batch_ref, l.line_no, l.account_no, l.amount_text AS amount,
       CONVERT(l.idempotency_key USING utf8mb4) AS idempotency_key, l.outcome, l.payment_id,
       receipt_no(p.payment_id, p.posted_at) AS receipt_no, l.errno, l.message,
       l.amount AS amount_parsed, l.method, l.paid_at, b.status AS batch_status, l.done_at
FROM payment_batch_line l
JOIN payment_batch b ON b.batch_id = l.batch_id
LEFT JOIN payment p ON p.payment_id = l.payment_id
