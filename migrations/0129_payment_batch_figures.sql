-- A payment batch's figures kept on its row (issue 24 §4: the bank files list at 1M accounts).
-- v_staff_payment_batch counted them with a subquery per figure over the batch's lines (and a
-- payment row per posted line for amount_posted), so the list cost the lines of the batches on
-- its page: 0.15 s for one 100,000-line batch at 1M accounts, growing with every file. Kept here,
-- the list reads 50 rows of payment_batch whatever the batches' sizes.
--
--   line_count        the batch's lines                          (the view's `lines`)
--   pending_count, posted_count, replayed_count, refused_count   lines in each outcome
--   amount_total      the sum of the lines' valid amounts (payment_batch_line.amount)
--   amount_posted     the sum of the amounts of the payments of the lines posted (a payment's
--                     amount never changes, payment_keep_identity; a reversal does not change
--                     what the view shows: it is the money the batch posted, not net of
--                     reversals)
--   bad_amount_count  lines without a valid amount (amount NULL)
--   no_key_count      lines without an idempotency key
-- The flags that depend on the accounts (unknown_account_lines, closed_account_lines) stay
-- computed by the view: an account opened or closed later changes them.
--
-- Writers, each in its own transaction, one statement per call or chunk, on the batch row they
-- hold locked already (no new lock, no new lock order):
--   stage_payment_batch   the lines it appends (line_count, pending_count, amount_total,
--                         bad_amount_count, no_key_count)
--   post_payment_batch    at the end of each chunk, the chunk's lines leave pending for their
--                         outcome (posted, replayed, refused counts, amount_posted)
-- A line's data (account_no, amount, key) never changes after staging, and nothing else writes
-- a line's outcome or payment_id. v_staff_payment_batch_recount counts them again from the
-- lines; v_ledger_integrity's payment_batch check lists a batch whose kept figures differ.
-- The CHECK below refuses a row whose outcome counts do not add up to its lines.
--
-- Existing rows are filled here from the lines, as the view computed them (an upgrade runs with
-- the web app and jobs stopped, docs/operations.md: no batch is staged or posted meanwhile).
-- Example: SELECT line_count, pending_count, amount_posted FROM payment_batch WHERE batch_id = 1;
ALTER TABLE payment_batch
  ADD COLUMN line_count       INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'the batch''s lines',
  ADD COLUMN pending_count    INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'lines pending',
  ADD COLUMN posted_count     INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'lines posted',
  ADD COLUMN replayed_count   INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'lines replayed',
  ADD COLUMN refused_count    INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'lines refused',
  ADD COLUMN amount_total     DECIMAL(14,2) NOT NULL DEFAULT 0 COMMENT 'sum of the lines'' valid amounts',
  ADD COLUMN amount_posted    DECIMAL(14,2) NOT NULL DEFAULT 0 COMMENT 'sum of the posted lines'' payments',
  ADD COLUMN bad_amount_count INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'lines without a valid amount',
  ADD COLUMN no_key_count     INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'lines without a key',
  ADD CONSTRAINT ck_payment_batch_counts
      CHECK (line_count = pending_count + posted_count + replayed_count + refused_count);

UPDATE payment_batch b
  JOIN (SELECT l.batch_id, COUNT(*) AS line_count,
               SUM(l.outcome = 'pending') AS pending_count,
               SUM(l.outcome = 'posted') AS posted_count,
               SUM(l.outcome = 'replayed') AS replayed_count,
               SUM(l.outcome = 'refused') AS refused_count,
               COALESCE(SUM(l.amount), 0) AS amount_total,
               COALESCE(SUM(p.amount), 0) AS amount_posted,
               SUM(l.amount IS NULL) AS bad_amount_count,
               SUM(l.idempotency_key IS NULL) AS no_key_count
          FROM payment_batch_line l
          LEFT JOIN payment p ON p.payment_id = l.payment_id AND l.outcome = 'posted'
         GROUP BY l.batch_id) s ON s.batch_id = b.batch_id
   SET b.line_count = s.line_count, b.pending_count = s.pending_count,
       b.posted_count = s.posted_count, b.replayed_count = s.replayed_count,
       b.refused_count = s.refused_count, b.amount_total = s.amount_total,
       b.amount_posted = s.amount_posted, b.bad_amount_count = s.bad_amount_count,
       b.no_key_count = s.no_key_count;
