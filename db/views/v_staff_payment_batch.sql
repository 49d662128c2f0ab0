-- v_staff_payment_batch: one row per payment batch (bank or lockbox file) with its counts and
-- totals, for the back office's list of batches and a batch's page (a helper view of the staff
-- back office, not part of the contract; see docs/backoffice.md, "Bank files").
--
-- Columns
--   batch_id, batch_ref, status (open: not all lines posted yet; posted), created_by,
--   created_at, posted_by, posted_at          from payment_batch
--   lines                       the batch's lines
--   pending, posted, replayed, refused        lines in each outcome
--   amount_total                the sum of the lines' valid amounts (what the file says)
--   amount_posted               the sum of the amounts of the payments the batch posted
--   bad_amount_lines            lines without a valid amount (posting refuses them: 45020)
--   unknown_account_lines       lines whose account_no names no account (45001)
--   closed_account_lines        lines of closed accounts
--   no_key_lines                lines without a key
-- Each count is a subquery over the batch's lines (primary key range): a list of the newest
-- batches costs the lines of those batches only, whatever the size of older ones.
-- Example: SELECT * FROM v_staff_payment_batch ORDER BY batch_id DESC LIMIT 50;
CREATE VIEW v_staff_payment_batch AS
SELECT b.batch_id, b.batch_ref, b.status, b.created_by, b.created_at, b.posted_by, b.posted_at,
       (SELECT COUNT(*) FROM payment_batch_line l WHERE l.batch_id = b.batch_id) AS `lines`,
       (SELECT COUNT(*) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id AND l.outcome = 'pending') AS pending,
       (SELECT COUNT(*) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id AND l.outcome = 'posted') AS posted,
       (SELECT COUNT(*) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id AND l.outcome = 'replayed') AS replayed,
       (SELECT COUNT(*) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id AND l.outcome = 'refused') AS refused,
       (SELECT CAST(COALESCE(SUM(l.amount), 0) AS DECIMAL(14,2)) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id) AS amount_total,
       (SELECT CAST(COALESCE(SUM(p.amount), 0) AS DECIMAL(14,2))
          FROM payment_batch_line l JOIN payment p ON p.payment_id = l.payment_id
         WHERE l.batch_id = b.batch_id AND l.outcome = 'posted') AS amount_posted,
       (SELECT COUNT(*) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id AND l.amount IS NULL) AS bad_amount_lines,
       (SELECT COUNT(*) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id
           AND NOT EXISTS (SELECT 1 FROM account a WHERE a.account_no = l.account_no))
           AS unknown_account_lines,
       (SELECT COUNT(*) FROM payment_batch_line l JOIN account a ON a.account_no = l.account_no
         WHERE l.batch_id = b.batch_id AND a.closed_on IS NOT NULL) AS closed_account_lines,
       (SELECT COUNT(*) FROM payment_batch_line l
         WHERE l.batch_id = b.batch_id AND l.idempotency_key IS NULL) AS no_key_lines
  FROM payment_batch b
