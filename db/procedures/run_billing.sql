-- run_billing: bills every billable account for one period (the monthly batch).
--
-- An account is billable when its service overlaps the period (bs = max(period_start,
-- opened_on) <= be = min(period_end, closed_on)), has a meter installed on be and has no bill
-- for a period overlapping [bs, be] (billing-rules.md; a closed account gets its final bill); so a second run of the same period bills nobody
-- twice, and an account skipped for an exception is billed by a later run once the cause is
-- fixed. The accounts are billed set-based (see _bill_chunk) in chunks of 1% of the run's
-- accounts, at most 10,000 (@billing_chunk_size overrides it for the session; below 1 means the
-- default), each chunk committed on its own: a crash loses at most the chunk under way and a
-- re-run finishes the rest. The run's row in billing_run shows progress (accounts_done /
-- accounts_total) while it runs, in steps of at most 1% (a person watching a run of a few
-- thousand accounts sees it move, not jump from 0 to 100%).
--
-- Parameters
--   p_period_start, p_period_end  the period (inclusive, at most 62 days)
--   p_issue_date                  issue date of the bills (on or after period_end)
--   p_due_days                    days from issue to due date (1..90)
--   p_actor                       who runs it, e.g. 'batch:billing' or 'staff:alice'
-- Result: run_id, accounts_considered, bills_created, accounts_skipped, total_billed
--   accounts_considered: billable accounts when the run started; accounts_skipped: those of
--   them not billed by this run (an exception, see v_billing_exceptions, or billed meanwhile
--   by another run of the same period).
-- Errors: 45040 PERIOD_INVALID, 45002 empty actor. A chunk that deadlocks (1213) or times out
--   on a lock (1205) is rolled back and tried again, 5 attempts in all. Any other failure in a
--   chunk (or the 5th lock error) rolls that chunk back, marks the run 'failed' and is raised
--   again; earlier chunks stay billed.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL run_billing('2026-10-01', '2026-10-31', '2026-11-01', 14, 'batch:billing');
CREATE PROCEDURE run_billing(IN p_period_start LONGTEXT,
                             IN p_period_end LONGTEXT,
                             IN p_issue_date LONGTEXT,
                             IN p_due_days LONGTEXT,
                             IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_period_start DATE DEFAULT _arg_date(p_period_start, 'period_start');
    DECLARE v_period_end DATE DEFAULT _arg_date(p_period_end, 'period_end');
    DECLARE v_issue_date DATE DEFAULT _arg_date(p_issue_date, 'issue_date');
    DECLARE v_due_days INT DEFAULT _arg_int(p_due_days, 'due_days', -2147483648, 2147483647, 45040);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_run INT UNSIGNED DEFAULT NULL;
    DECLARE v_chunk_size INT DEFAULT @billing_chunk_size;
    DECLARE v_after INT UNSIGNED DEFAULT 0;
    DECLARE v_n INT;
    DECLARE v_max INT UNSIGNED;
    DECLARE v_total INT;
    DECLARE v_attempt TINYINT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        IF v_run IS NOT NULL THEN
            UPDATE billing_run SET status = 'failed', finished_at = NOW() WHERE run_id = v_run;
            CALL _audit('billing_run_failed', 'billing_run', v_run, NULL,
                        (SELECT JSON_OBJECT('bills_created', bills_created,
                                            'total_billed', total_billed)
                           FROM billing_run WHERE run_id = v_run), v_actor);
            COMMIT;
        END IF;
        RESIGNAL;
    END;

    CALL _check_period(v_period_start, v_period_end, v_issue_date, v_due_days, v_actor);
    SET @billing_actor = v_actor;

    DROP TEMPORARY TABLE IF EXISTS run_candidates;
    CREATE TEMPORARY TABLE run_candidates (account_id INT UNSIGNED NOT NULL PRIMARY KEY);
    -- The candidates are read without locks: READ COMMITTED makes this INSERT ... SELECT a
    -- consistent read (under REPEATABLE READ it would share-lock every account, installation
    -- and bill it reads, at 1M accounts for seconds: payments would wait for the run to start,
    -- and another run's bills could deadlock with it). Each chunk checks its accounts again under
    -- their locks. SET TRANSACTION applies to the next transaction only; the COMMIT before it
    -- ends a transaction the caller left open, as the START TRANSACTION below would anyway.
    -- A server that writes a statement-based binary log refuses InnoDB writes under READ
    -- COMMITTED (1665, the temporary table included): there the read stays REPEATABLE READ.
    COMMIT;
    IF NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT') THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    INSERT INTO run_candidates
    -- be = min(period_end, closed_on); a meter installed on be (removed on be counts; on an
    -- exchange day two installations qualify, hence DISTINCT)
    SELECT DISTINCT a.account_id
    FROM account a
    JOIN meter_installation mi ON mi.account_id = a.account_id
         AND mi.installed_on <= LEAST(v_period_end, COALESCE(a.closed_on, v_period_end))
         AND (mi.removed_on IS NULL
              OR mi.removed_on >= LEAST(v_period_end, COALESCE(a.closed_on, v_period_end)))
    WHERE a.opened_on <= v_period_end
      AND (a.closed_on IS NULL OR a.closed_on >= v_period_start)
      AND NOT EXISTS (SELECT 1 FROM bill b
                      WHERE b.account_id = a.account_id AND b.cancelled_at IS NULL
                        AND b.period_start <= LEAST(v_period_end, COALESCE(a.closed_on, v_period_end))
                        AND b.period_end >= GREATEST(v_period_start, a.opened_on));
    COMMIT;
    SELECT COUNT(*) INTO v_total FROM run_candidates;
    -- the default chunk: 1% of the accounts (progress steps), 1 to 10,000 (LIMIT 0 would bill
    -- nobody and still complete the run)
    IF v_chunk_size IS NULL OR v_chunk_size < 1 THEN
        SET v_chunk_size = LEAST(10000, GREATEST(1, CEILING(v_total / 100)));
    END IF;

    START TRANSACTION;
    INSERT INTO billing_run (period_start, period_end, issue_date, due_days, accounts_total, started_by)
    VALUES (v_period_start, v_period_end, v_issue_date, v_due_days, v_total, v_actor);
    SET v_run = LAST_INSERT_ID();
    CALL _audit('billing_run_started', 'billing_run', v_run, NULL,
                JSON_OBJECT('period_start', v_period_start, 'period_end', v_period_end,
                            'issue_date', v_issue_date, 'due_days', v_due_days,
                            'accounts_total', v_total), v_actor);
    COMMIT;

    -- One iteration per chunk: each chunk is its own transaction, so this is a loop.
    chunk_loop: LOOP
        DROP TEMPORARY TABLE IF EXISTS billing_chunk;
        CREATE TEMPORARY TABLE billing_chunk (account_id INT UNSIGNED NOT NULL PRIMARY KEY);
        INSERT INTO billing_chunk
        SELECT account_id FROM run_candidates WHERE account_id > v_after
        ORDER BY account_id LIMIT v_chunk_size;
        SELECT COUNT(*), MAX(account_id) INTO v_n, v_max FROM billing_chunk;
        IF v_n = 0 THEN
            LEAVE chunk_loop;
        END IF;
        -- A chunk chosen as a deadlock victim (1213) or timed out waiting for a lock (1205),
        -- e.g. against another run of the same period, is rolled back and billed again: up to
        -- 5 attempts. Accounts the other run billed meanwhile drop out of the new attempt.
        SET v_attempt = 1;
        attempt_loop: LOOP
            BEGIN
                DECLARE EXIT HANDLER FOR 1213, 1205
                BEGIN
                    ROLLBACK;
                    IF v_attempt >= 5 THEN
                        RESIGNAL;
                    END IF;
                    SET v_attempt = v_attempt + 1;
                END;
                START TRANSACTION;
                CALL _bill_chunk(v_run, v_period_start, v_period_end, v_issue_date, v_due_days, v_actor, 0);
                COMMIT;
                LEAVE attempt_loop;
            END;
        END LOOP;
        SET v_after = v_max;
    END LOOP;

    START TRANSACTION;
    UPDATE billing_run SET status = 'completed', finished_at = NOW() WHERE run_id = v_run;
    -- one audit row at the start and one at the end of a run, never one per bill
    CALL _audit('billing_run_finished', 'billing_run', v_run, NULL,
                (SELECT JSON_OBJECT('accounts_considered', accounts_total,
                                    'bills_created', bills_created,
                                    'accounts_skipped', accounts_skipped,
                                    'total_billed', total_billed)
                   FROM billing_run WHERE run_id = v_run), v_actor);
    COMMIT;
    DROP TEMPORARY TABLE IF EXISTS run_candidates;
    DROP TEMPORARY TABLE IF EXISTS billing_chunk;

    SELECT run_id, accounts_total AS accounts_considered, bills_created, accounts_skipped, total_billed
    FROM billing_run WHERE run_id = v_run;
END
