-- _bill_run_chunks: bills chunks of a run until none is left to claim (the shared second half
-- of run_billing and work_billing_run; internal helper, no result set).
--
-- Any number of sessions may work one run at once. Each chunk is one transaction:
--   1. claim: the first 'pending' chunk of the run by chunk_no, SELECT ... FOR UPDATE SKIP
--      LOCKED (a chunk another session is billing is locked, so it is skipped, not waited for);
--   2. the run row, shared (LOCK IN SHARE MODE) to the commit: a run that is no longer
--      'running' (failed) is left at once;
--   3. its accounts (billing_run_candidate) into the temporary table billing_chunk, and
--      CALL _bill_chunk (the same engine as ever: bills, lines, ledger, exceptions);
--   4. the chunk row 'done', with its progress (accounts, bills, their total; when, by whom):
--      `accounts` becomes the chunk's considered accounts, its candidates but those another
--      run of the period billed after this run started (not considered, nothing recorded);
--   5. COMMIT.
-- When no chunk is left to claim and none is pending any more, the run is complete:
-- _finish_billing_run, in a transaction of its own, writes the sums of the chunks on the run
-- row, status 'completed' and the audit row billing_run_finished.
-- Why no lease or timeout is needed: the claim is the row lock of the very transaction that
-- bills the chunk, and nothing about it is stored. If the session ends before its COMMIT (the
-- connection is killed, the server loses it, the server crashes), the server rolls the
-- transaction back: the chunk's bills, numbers and progress go, the chunk row is 'pending' and
-- unlocked again, and the next claim of any worker takes it. A chunk is 'done' only in the
-- transaction that billed it, so it is never billed twice, nor lost. (A client that dies
-- while its CALL runs does not end the session: MariaDB and MySQL notice a vanished client only
-- when they write to it, so the session finishes the CALL, chunk after chunk, then fails to
-- send the result. Nothing is lost either way.)
-- Which session completes the run: every session that finds no chunk to claim looks whether
-- any chunk is still pending (a chunk being billed is, until its commit). The session that
-- committed the last chunk finds none, and so may a session that looked at the same moment:
-- _finish_billing_run completes the run only while it is 'running', under the run row's lock,
-- so one of them does it and writes the one audit row; the other finds it completed. A session
-- that dies between its last chunk's commit and the completion leaves a run whose chunks are
-- all done: the next work_billing_run call completes it. Until then, and while the run runs,
-- v_billing_run adds the done chunks up.
-- The progress is on the chunk rows and not on the run row (since migration 0131): every bill
-- inserted share-locks the run row (its foreign key), so a chunk that added its figures to it
-- needed it exclusively while the other sessions' chunks held it shared, and the chunks' stores
-- queued one behind the other. Locks of a chunk, in order: its chunk row, the run row (shared),
-- its candidate rows (shared), then _bill_chunk's (accounts, meters, tariffs shared, bills,
-- payments, the bill-number counter). Workers bill disjoint accounts; they queue only on the
-- bill-number counter (bill numbers stay gapless per year: a rolled-back chunk gives its numbers
-- back before the next chunk takes them).
--
-- Isolation: each chunk's transaction is READ COMMITTED (REPEATABLE READ where the binary log
-- is statement-based). _bill_chunk makes its decisions under the locks it takes first (the
-- accounts, then their meters, the tariffs shared, the counter, the bills and payments of its
-- accounts; every writer of those rows takes the same locks first), so each of its statements
-- reads the latest committed state either way. What READ COMMITTED changes is what its
-- INSERT ... SELECT statements lock: under REPEATABLE READ they share-lock every row they read,
-- and when the optimizer scans a table (meter, meter_installation, account, customer: a small
-- table, or a chunk that is a large part of a table) that is every row of it, which two workers
-- then hold together and each waits for the other's to lock its own meters: a deadlock at
-- every chunk (seen with 4 workers on 50 accounts). Under READ COMMITTED those reads lock
-- nothing, and workers meet only on the counter.
--
-- A chunk that deadlocks (1213) or times out on a lock (1205) is rolled back and claimed again,
-- 5 attempts in all (if another session took it meanwhile, this one goes on with the next). So is
-- one that fails with 1467 (Failed to read auto-increment value from storage engine): MariaDB
-- says so when the wait for a table's AUTO-INC lock (an INSERT ... SELECT into bill, ledger_entry,
-- notice, ... while another worker's holds it) ends in a deadlock or a timeout; seen once in
-- tests/db/test_parallel_billing.py with three workers, where it failed the run.
-- Any other failure in a chunk (or the 5th lock error) rolls that chunk back, marks the run
-- 'failed' (_finish_billing_run: the sums of the chunks committed, audit billing_run_failed)
-- and is raised again: committed chunks stay billed, the chunks other sessions are billing
-- commit first (they hold the run row shared), no session bills more chunks of a failed run,
-- and a new run of the period bills the rest.
--
-- Parameters
--   p_run_id   the run (must exist; the callers check it)
--   p_actor    who works it (checked by the callers)
--   p_chunks   OUT: chunks this call billed and committed
--   p_bills    OUT: bills those chunks created
-- Result: none (OUT parameters). A run that is not 'running' (completed, failed) has nothing
--   to claim: 0 chunks. Leaves the temporary table billing_chunk dropped.
-- Errors: whatever a chunk raises, as above.
-- Example: CALL _bill_run_chunks(12, 'batch:billing', @chunks, @bills);
CREATE PROCEDURE _bill_run_chunks(IN p_run_id INT UNSIGNED, IN p_actor VARCHAR(100),
                                   OUT p_chunks INT UNSIGNED, OUT p_bills INT UNSIGNED)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_period_start DATE;
    DECLARE v_period_end DATE;
    DECLARE v_issue_date DATE;
    DECLARE v_due_days INT;
    DECLARE v_status VARCHAR(10);
    DECLARE v_chunk INT UNSIGNED;
    DECLARE v_retry INT UNSIGNED DEFAULT NULL;   -- the chunk to claim again after a lock error
    DECLARE v_attempt TINYINT DEFAULT 1;
    DECLARE v_bills INT UNSIGNED;
    DECLARE v_total DECIMAL(14,2);
    DECLARE v_pending INT UNSIGNED;
    DECLARE v_considered INT UNSIGNED;
    DECLARE v_in_chunk TINYINT DEFAULT 0;
    -- a server that writes a statement-based binary log refuses InnoDB writes under READ
    -- COMMITTED (1665): there the chunks stay REPEATABLE READ
    DECLARE v_read_committed TINYINT
        DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        DROP TEMPORARY TABLE IF EXISTS billing_chunk;
        IF v_in_chunk THEN
            START TRANSACTION;
            CALL _finish_billing_run(p_run_id, 'failed', p_actor);
            COMMIT;
        END IF;
        RESIGNAL;
    END;

    SET p_chunks = 0, p_bills = 0;
    SET @billing_actor = p_actor;
    SELECT period_start, period_end, issue_date, due_days
      INTO v_period_start, v_period_end, v_issue_date, v_due_days
      FROM billing_run WHERE run_id = p_run_id;
    DROP TEMPORARY TABLE IF EXISTS billing_chunk;
    CREATE TEMPORARY TABLE billing_chunk (account_id INT UNSIGNED NOT NULL PRIMARY KEY);

    -- One iteration per chunk: each chunk is its own transaction, so this is a loop.
    chunk_loop: LOOP
        BEGIN
            DECLARE EXIT HANDLER FOR 1213, 1205, 1467
            BEGIN
                ROLLBACK;
                SET v_in_chunk = 0;
                IF v_attempt >= 5 THEN
                    SET v_in_chunk = 1;          -- the 5th: the run fails (outer handler)
                    RESIGNAL;
                END IF;
                SET v_attempt = v_attempt + 1, v_retry = v_chunk;
            END;
            -- READ COMMITTED, as the candidates were read: see "Isolation" above
            COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
            IF v_read_committed THEN
                SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
            END IF;
            START TRANSACTION;
            SET v_chunk = NULL;
            IF v_retry IS NOT NULL THEN
                SELECT chunk_no INTO v_chunk FROM billing_run_chunk
                WHERE run_id = p_run_id AND chunk_no = v_retry AND status = 'pending'
                FOR UPDATE SKIP LOCKED;
                SET v_retry = NULL;
            END IF;
            IF v_chunk IS NULL THEN
                SET v_attempt = 1;               -- a chunk of its own attempts
                SELECT chunk_no INTO v_chunk FROM billing_run_chunk
                WHERE run_id = p_run_id AND status = 'pending'
                ORDER BY chunk_no LIMIT 1
                FOR UPDATE SKIP LOCKED;
            END IF;
            IF v_chunk IS NULL THEN
                COMMIT;                          -- every chunk is done or being billed
                LEAVE chunk_loop;
            END IF;
            -- the run row shared, to the commit: a session that marks the run failed waits for
            -- this chunk (_finish_billing_run), and a chunk claimed after it sees 'failed'
            SET v_status = NULL;
            SELECT status INTO v_status FROM billing_run WHERE run_id = p_run_id
            LOCK IN SHARE MODE;
            IF NOT (v_status <=> 'running') THEN
                ROLLBACK;                        -- failed: no more chunks of it
                LEAVE chunk_loop;
            END IF;
            SET v_in_chunk = 1;

            DELETE FROM billing_chunk;
            INSERT INTO billing_chunk
            SELECT account_id FROM billing_run_candidate
            WHERE run_id = p_run_id AND chunk_no = v_chunk;
            CALL _bill_chunk(p_run_id, v_period_start, v_period_end, v_issue_date, v_due_days,
                             p_actor, 0, v_bills, v_total);
            -- the chunk's considered accounts (bc_acct: billed, or skipped with an exception);
            -- a candidate another run of the period billed meanwhile is not considered
            -- (billing-rules.md: nothing is recorded for it), so it leaves the chunk's count
            SELECT COUNT(*) INTO v_considered FROM bc_acct;

            UPDATE billing_run_chunk
            SET status = 'done', accounts = v_considered, bills_created = v_bills,
                total_billed = v_total, done_at = NOW(), done_by = p_actor,
                done_connection = CONNECTION_ID()
            WHERE run_id = p_run_id AND chunk_no = v_chunk;
            COMMIT;
            SET v_in_chunk = 0, v_attempt = 1;
            SET p_chunks = p_chunks + 1, p_bills = p_bills + v_bills;
        END;
    END LOOP;
    DROP TEMPORARY TABLE IF EXISTS billing_chunk;

    -- no chunk left to claim: if none is pending either, the run is complete (a consistent
    -- read: a chunk being billed is pending until its commit)
    SELECT COUNT(*) INTO v_pending FROM billing_run_chunk
    WHERE run_id = p_run_id AND status = 'pending';
    IF v_pending = 0 THEN
        START TRANSACTION;
        CALL _finish_billing_run(p_run_id, 'completed', p_actor);
        COMMIT;
    END IF;
END
