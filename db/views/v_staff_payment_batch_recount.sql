-- v_staff_payment_batch_recount: a payment batch's kept figures counted again from its lines,
-- as v_staff_payment_batch computed them before they were kept (migration 0129). For checks:
-- v_ledger_integrity's payment_batch check and the tests compare it with payment_batch's kept
-- columns. Reads every line of every batch (and a payment per posted line): not for pages.
--
-- Columns (the names of v_staff_payment_batch)
--   batch_id
--   lines, pending, posted, replayed, refused   the lines, and those in each outcome
--   amount_total       the sum of the lines' valid amounts
--   amount_posted      the sum of the amounts of the payments of the lines posted
--   bad_amount_lines   lines without a valid amount
--   no_key_lines       lines without a key
-- A batch without lines has a row of zeros.
-- Example: SELECT * FROM v_staff_payment_batch_recount WHERE batch_id = 1;
CREATE VIEW v_staff_payment_batch_recount AS
SELECT b.batch_id,
       COUNT(l.line_no) AS `lines`,
       COALESCE(SUM(l.outcome = 'pending'), 0) AS pending,
       COALESCE(SUM(l.outcome = 'posted'), 0) AS posted,
       COALESCE(SUM(l.outcome = 'replayed'), 0) AS replayed,
       COALESCE(SUM(l.outcome = 'refused'), 0) AS refused,
       CAST(COALESCE(SUM(l.amount), 0) AS DECIMAL(14,2)) AS amount_total,
       CAST(COALESCE(SUM(p.amount), 0) AS DECIMAL(14,2)) AS amount_posted,
       COALESCE(SUM(l.line_no IS NOT NULL AND l.amount IS NULL), 0) AS bad_amount_lines,
       COALESCE(SUM(l.line_no IS NOT NULL AND l.idempotency_key IS NULL), 0) AS no_key_lines
  FROM payment_batch b
  LEFT JOIN payment_batch_line l ON l.batch_id = b.batch_id
  LEFT JOIN payment p ON p.payment_id = l.payment_id AND l.outcome = 'posted'
 GROUP BY b.batch_id
