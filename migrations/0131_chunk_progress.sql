-- A billing run's progress on its chunk rows (issue 24 §1; docs/billing-runs.md).
--
-- Until now every chunk added its figures to the billing_run row (accounts_done, bills_created,
-- accounts_skipped, total_billed, chunks_done) in its own transaction. Each bill a chunk inserts
-- share-locks that row (the foreign key bill.run_id), so two sessions working one run deadlocked
-- on it (each holding the share lock, each asking for the exclusive one), and _store_bills took
-- the row exclusively before its first insert: the chunks' stores queued one behind the other.
-- Now a chunk writes its figures to its own billing_run_chunk row (which it holds already: its
-- claim), and the run row is written twice only, when the run starts and when it ends
-- (_finish_billing_run sums the chunk rows into it). While the run is running, v_billing_run and
-- v_staff_billing_run add the done chunks up.
--
-- total_billed: the sum of the chunk's new bills' totals as issued. NULL while the chunk is
-- pending; also NULL on the chunks of runs that had ended before this migration (their run row
-- holds the totals, and nothing reads those chunks' figures again). The chunks done of a run
-- still running get theirs from the bills here, so that its progress stays right.
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.

ALTER TABLE billing_run_chunk
  ADD COLUMN total_billed DECIMAL(14,2) NULL COMMENT 'the chunk''s new bills'' totals as issued' AFTER bills_created;

UPDATE billing_run_chunk c
JOIN (SELECT k.run_id, k.chunk_no, SUM(b.issued_total) AS total_billed
        FROM billing_run r
        JOIN billing_run_candidate k ON k.run_id = r.run_id
        JOIN bill b ON b.account_id = k.account_id AND b.run_id = k.run_id
       WHERE r.status = 'running'
       GROUP BY k.run_id, k.chunk_no) t ON t.run_id = c.run_id AND t.chunk_no = c.chunk_no
SET c.total_billed = t.total_billed
WHERE c.status = 'done';

UPDATE billing_run_chunk c
JOIN billing_run r ON r.run_id = c.run_id
SET c.total_billed = 0
WHERE r.status = 'running' AND c.status = 'done' AND c.total_billed IS NULL;
