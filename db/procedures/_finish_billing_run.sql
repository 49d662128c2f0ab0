-- _finish_billing_run: marks a billing run completed and writes its billing_run_finished audit
-- row with the run's counts (internal helper of _open_billing_run, for a run without
-- candidates, and of _bill_run_chunks, in the transaction of the run's last chunk).
--
-- Runs inside the caller's transaction, which holds (or takes here) the run row's lock.
-- Parameters
--   p_run_id  the run
--   p_actor   who finishes it (the audit row's actor)
-- Result: none. Errors: none of its own.
-- Example: CALL _finish_billing_run(12, 'batch:billing');
CREATE PROCEDURE _finish_billing_run(IN p_run_id INT UNSIGNED, IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    UPDATE billing_run SET status = 'completed', finished_at = NOW() WHERE run_id = p_run_id;
    -- one audit row at the start and one at the end of a run, never one per bill
    CALL _audit('billing_run_finished', 'billing_run', p_run_id, NULL,
                (SELECT JSON_OBJECT('accounts_considered', accounts_total,
                                    'bills_created', bills_created,
                                    'accounts_skipped', accounts_skipped,
                                    'total_billed', total_billed)
                   FROM billing_run WHERE run_id = p_run_id), p_actor);
END
