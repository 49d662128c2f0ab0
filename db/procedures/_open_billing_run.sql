-- _open_billing_run: opens a billing run: checks the period, reads the run's candidates once,
-- numbers them into chunks and records the run (the shared first half of run_billing and
-- start_billing_run; internal helper, no result set).
--
-- A candidate is an account whose service overlaps the period (bs = max(period_start,
-- opened_on) <= be = min(period_end, closed_on)), with a meter installed on be and no bill (not
-- cancelled) for a period overlapping [bs, be] (billing-rules.md). The chunks (chunk_no 0, 1,
-- ... in account_id order) have 1% of the candidates each, 1 to 10,000 (@billing_chunk_size
-- overrides it for the session; below 1 means the default): the steps in which progress
-- (v_billing_run.accounts_done) moves, and the unit a worker claims (_bill_run_chunks).
-- Everything is one transaction: the run row with accounts_total and chunks_total, its
-- candidates (billing_run_candidate), its chunks (billing_run_chunk, all 'pending') and the
-- audit row billing_run_started; a run without candidates is completed at once (and audited
-- billing_run_finished, as every run that completes).
--
-- The candidates come from _run_candidates (the same read as preview_billing's: without locks,
-- in a READ COMMITTED transaction of its own; each chunk checks its accounts again under their
-- locks), into its temporary table run_candidates; from there they are numbered and stored.
--
-- Parameters
--   p_period_start, p_period_end, p_issue_date, p_due_days, p_actor  as run_billing's (typed)
--   p_run_id          OUT: the new run
--   p_accounts_total  OUT: its candidates
-- Result: none (OUT parameters). Errors: 45040 PERIOD_INVALID, 45002 empty actor (_check_period),
--   before anything is written; any other failure rolls back everything (no run row is left).
-- Example: CALL _open_billing_run('2026-10-01', '2026-10-31', '2026-11-01', 14, 'batch:billing', @run, @n);
CREATE PROCEDURE _open_billing_run(IN p_period_start DATE, IN p_period_end DATE,
                                    IN p_issue_date DATE, IN p_due_days INT,
                                    IN p_actor VARCHAR(100),
                                    OUT p_run_id INT UNSIGNED, OUT p_accounts_total INT UNSIGNED)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_chunk_size INT DEFAULT @billing_chunk_size;
    DECLARE v_run INT UNSIGNED;
    DECLARE v_total INT UNSIGNED;
    DECLARE v_chunks INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        DROP TEMPORARY TABLE IF EXISTS run_candidates;
        RESIGNAL;
    END;

    CALL _check_period(p_period_start, p_period_end, p_issue_date, p_due_days, p_actor);
    SET @billing_actor = p_actor;
    IF v_chunk_size < 1 THEN
        SET v_chunk_size = NULL;            -- the default below
    END IF;

    CALL _run_candidates(p_period_start, p_period_end);

    START TRANSACTION;
    INSERT INTO billing_run (period_start, period_end, issue_date, due_days, accounts_total, started_by)
    VALUES (p_period_start, p_period_end, p_issue_date, p_due_days, 0, p_actor);
    SET v_run = LAST_INSERT_ID();

    -- the candidates, numbered into chunks in account_id order: chunk size 1% of them, 1 to
    -- 10,000 (a chunk size of 0 would make no chunk at all). Counted first (the table's own
    -- figure) rather than by a second window over every row (0.2 s at 1M accounts)
    SELECT COUNT(*) INTO v_total FROM run_candidates;
    INSERT INTO billing_run_candidate (run_id, chunk_no, account_id)
    SELECT v_run,
           (ROW_NUMBER() OVER (ORDER BY account_id) - 1)
               DIV COALESCE(v_chunk_size, LEAST(10000, GREATEST(1, CEILING(v_total / 100)))),
           account_id
    FROM run_candidates;

    INSERT INTO billing_run_chunk (run_id, chunk_no, first_account_id, last_account_id, accounts)
    SELECT run_id, chunk_no, MIN(account_id), MAX(account_id), COUNT(*)
    FROM billing_run_candidate
    WHERE run_id = v_run
    GROUP BY run_id, chunk_no;
    SET v_chunks = ROW_COUNT();

    UPDATE billing_run SET accounts_total = v_total, chunks_total = v_chunks WHERE run_id = v_run;
    CALL _audit('billing_run_started', 'billing_run', v_run, NULL,
                JSON_OBJECT('period_start', p_period_start, 'period_end', p_period_end,
                            'issue_date', p_issue_date, 'due_days', p_due_days,
                            'accounts_total', v_total), p_actor);
    IF v_chunks = 0 THEN
        -- nothing to bill: the run is complete now (no worker will ever finish a chunk of it)
        CALL _finish_billing_run(v_run, 'completed', p_actor);
    END IF;
    COMMIT;
    DROP TEMPORARY TABLE IF EXISTS run_candidates;

    SET p_run_id = v_run, p_accounts_total = v_total;
END
