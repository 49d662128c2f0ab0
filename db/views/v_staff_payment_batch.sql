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
--   amount_posted               the sum of the amounts of the payments the batch posted (not
--                               net of later reversals)
--   bad_amount_lines            lines without a valid amount (posting refuses them: 45020)
--   unknown_account_lines       lines whose account_no names no account (45001)
--   closed_account_lines        lines of closed accounts
--   no_key_lines                lines without a key
-- lines, the outcome counts, amount_total, amount_posted, bad_amount_lines and no_key_lines are
-- the figures kept on the batch's row (migration 0129: stage_payment_batch and
-- post_payment_batch keep them in their transactions), so a list of batches reads one row per
-- batch whatever their sizes; v_staff_payment_batch_recount counts them from the lines. The
-- two account flags depend on the accounts (one opened or closed later changes them): each is
-- a subquery over the batch's lines, an account lookup per line, for a batch's own page only
-- (a merged view computes only the columns selected).
-- Example: SELECT * FROM v_staff_payment_batch ORDER BY batch_id DESC LIMIT 50;
CREATE VIEW v_staff_payment_batch AS
SELECT b.batch_id, b.batch_ref, b.status, b.created_by, b.created_at, b.posted_by, b.posted_at,
       b.line_count AS `lines`, b.pending_count AS pending, b.posted_count AS posted,
       b.replayed_count AS replayed, b.refused_count AS refused,
       b.amount_total, b.amount_posted,
       b.bad_amount_count AS bad_amount_lines,
       -- byte for byte, as posting matches them; a join, not NOT EXISTS: MariaDB caches a
       -- correlated subquery's result by l.account_no under its collation, so "a0000001"
       -- would reuse the answer for "A0000001"
       (SELECT COUNT(*) FROM payment_batch_line l
          LEFT JOIN account a ON a.account_no = l.account_no
                             AND CAST(a.account_no AS BINARY) = CAST(l.account_no AS BINARY)
         WHERE l.batch_id = b.batch_id AND a.account_id IS NULL) AS unknown_account_lines,
       (SELECT COUNT(*) FROM payment_batch_line l
          JOIN account a ON a.account_no = l.account_no
                        AND CAST(a.account_no AS BINARY) = CAST(l.account_no AS BINARY)
         WHERE l.batch_id = b.batch_id AND a.closed_on IS NOT NULL) AS closed_account_lines,
       b.no_key_count AS no_key_lines
  FROM payment_batch b
