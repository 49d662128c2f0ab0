-- work_billing_run: one worker of a billing run opened by start_billing_run: claims the run's
-- chunks one by one (the first pending chunk that no other session holds) and bills each in
-- its own transaction, until no chunk is left to claim. Any number of sessions may call it for
-- the same run at once; the session that commits the run's last chunk completes the run. A
-- worker whose session dies mid-chunk leaves nothing of that chunk behind, and the chunk is
-- claimed by the next worker that looks (call it again to finish a run whose workers died).
-- See _bill_run_chunks for the claim, the retries and why no lease is needed, and
-- docs/billing-runs.md.
--
-- Parameters
--   p_run_id  the run (start_billing_run's run_id)
--   p_actor   who works it, e.g. 'batch:billing'
-- Result: run_id, chunks_done, bills_created: what THIS call billed and committed (0, 0 for a
--   run that is completed or failed, or whose chunks are all being billed by other sessions).
-- Errors: 45001 unknown run, 45002 no run id, blank actor. A chunk that deadlocks (1213),
--   times out on a lock (1205) or fails on a table's AUTO-INC lock (1467) is rolled back and
--   tried again, 5 attempts in all; any other failure in a chunk (or the 5th lock error) rolls
--   that chunk back, marks the run 'failed' and is raised again; chunks committed before stay
--   billed.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long or too big is a contract error (45002, or 45001 for
-- a run id no run can have), never a raw conversion error of the server.
-- Example: CALL work_billing_run(12, 'batch:billing');
CREATE PROCEDURE work_billing_run(IN p_run_id LONGTEXT,
                                  IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_run INT UNSIGNED DEFAULT _arg_int(p_run_id, 'run_id', 0, 4294967295, 45001);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_chunks INT UNSIGNED;
    DECLARE v_bills INT UNSIGNED;
    DECLARE v_found INT DEFAULT 0;

    IF v_run IS NULL THEN
        CALL _fail(45002, 'run_id is required');
    END IF;
    -- a consistent read (IF EXISTS (SELECT ...) would share-lock the run row and wait for the
    -- chunk that holds it)
    SELECT COUNT(*) INTO v_found FROM billing_run WHERE run_id = v_run;
    IF v_found = 0 THEN
        CALL _fail(45001, CONCAT('no billing run with id ', v_run));
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    CALL _bill_run_chunks(v_run, v_actor, v_chunks, v_bills);
    SELECT v_run AS run_id, v_chunks AS chunks_done, v_bills AS bills_created;
END
