-- _finish_billing_run: ends a billing run that is 'running': 'completed' once every chunk is
-- done, or 'failed'. The run row gets its final figures, the sums of its done chunks
-- (v_billing_run_progress, migration 0131; a completed run's accounts_total becomes the
-- accounts its chunks considered, see _bill_run_chunks), and the audit row billing_run_finished or
-- billing_run_failed. Internal helper of _open_billing_run (a run without candidates) and of
-- _bill_run_chunks (after the commit of a run's last chunk; a failed chunk).
--
-- Runs inside the caller's transaction. It takes the run row exclusively first: every chunk
-- being billed holds it shared to its commit (_bill_run_chunks), so the sums are read once no
-- chunk is in flight, and no chunk commits after them (one that claims later sees the run
-- ended and leaves).
-- Parameters
--   p_run_id  the run
--   p_status  'completed' (nothing happens unless every chunk is done) or 'failed'
--   p_actor   who ends it (the audit row's actor)
-- Result: none. A run that is not 'running' any more (another session ended it) is left as it
--   is, without a second audit row. Errors: none of its own.
-- Example: CALL _finish_billing_run(12, 'completed', 'batch:billing');
CREATE PROCEDURE _finish_billing_run(IN p_run_id INT UNSIGNED, IN p_status VARCHAR(10),
                                     IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_status VARCHAR(10);
    DECLARE v_chunks INT UNSIGNED;
    DECLARE v_accounts INT UNSIGNED;
    DECLARE v_bills INT UNSIGNED;
    DECLARE v_total DECIMAL(14,2);
    DECLARE v_ended INT;

    SELECT status INTO v_status FROM billing_run WHERE run_id = p_run_id FOR UPDATE;
    -- the chunks done, as v_billing_run shows them while the run runs (its one row, or none
    -- when no chunk is done: the sums make it one row of zeros)
    SELECT COALESCE(SUM(chunks_done), 0), COALESCE(SUM(accounts_done), 0),
           COALESCE(SUM(bills_created), 0), COALESCE(SUM(total_billed), 0)
      INTO v_chunks, v_accounts, v_bills, v_total
      FROM v_billing_run_progress WHERE run_id = p_run_id;

    -- a completed run's accounts_total becomes what its chunks considered: the candidates
    -- counted at the start, but those another run of the period billed meanwhile
    UPDATE billing_run
    SET status = p_status, finished_at = NOW(), chunks_done = v_chunks,
        accounts_total = IF(p_status = 'completed', v_accounts, accounts_total),
        accounts_done = v_accounts, bills_created = v_bills,
        accounts_skipped = v_accounts - v_bills, total_billed = v_total
    WHERE run_id = p_run_id AND status = 'running'
      AND (p_status = 'failed' OR chunks_total = v_chunks);
    SET v_ended = ROW_COUNT();

    -- one audit row at the start and one at the end of a run, never one per bill
    IF v_ended > 0 AND p_status = 'completed' THEN
        CALL _audit('billing_run_finished', 'billing_run', p_run_id, NULL,
                    JSON_OBJECT('accounts_considered', v_accounts, 'bills_created', v_bills,
                                'accounts_skipped', v_accounts - v_bills,
                                'total_billed', v_total), p_actor);
    ELSEIF v_ended > 0 THEN
        CALL _audit('billing_run_failed', 'billing_run', p_run_id, NULL,
                    JSON_OBJECT('bills_created', v_bills, 'total_billed', v_total), p_actor);
    END IF;
END
