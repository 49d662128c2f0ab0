-- bill_account: bills one account for a period (a re-bill after an exception was fixed, or a
-- bill outside the monthly run), with the same rules and engine as run_billing.
--
-- It records a billing_run of its own (one account), so a reason for not billing shows in
-- v_billing_exceptions like a run's: UNBILLED_GAP, READ_NEEDS_REVIEW, NO_TARIFF,
-- ESTIMATE_CONFLICT, and here also ACCOUNT_NOT_OPEN, NO_METER and ALREADY_BILLED.
--
-- Parameters
--   p_account_id                   the account
--   p_period_start, p_period_end   the period (inclusive, at most 62 days)
--   p_issue_date                   issue date (on or after period_end)
--   p_due_days                     days from issue to due date (1..90)
--   p_actor                        who acts
-- Result: bill_id, run_id (bill_id NULL when the account was not billed; the reason is in
--   v_billing_exceptions under run_id, also when the account was not considered)
-- Errors: 45001 unknown account, 45040 PERIOD_INVALID, 45002 no account id, blank actor.
--   A deadlock (1213) or lock wait timeout (1205) is retried inside, 5 attempts in all;
--   the 5th is raised.
-- Isolation: READ COMMITTED (REPEATABLE READ where the binary log is statement-based), as a
--   run's chunks: see _bill_run_chunks.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL bill_account(42, '2026-10-01', '2026-10-31', '2026-11-01', 14, 'staff:alice');
CREATE PROCEDURE bill_account(IN p_account_id LONGTEXT,
                              IN p_period_start LONGTEXT,
                              IN p_period_end LONGTEXT,
                              IN p_issue_date LONGTEXT,
                              IN p_due_days LONGTEXT,
                              IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_account_id INT UNSIGNED
        DEFAULT _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001);
    DECLARE v_period_start DATE DEFAULT _arg_date(p_period_start, 'period_start');
    DECLARE v_period_end DATE DEFAULT _arg_date(p_period_end, 'period_end');
    DECLARE v_issue_date DATE DEFAULT _arg_date(p_issue_date, 'issue_date');
    DECLARE v_due_days INT DEFAULT _arg_int(p_due_days, 'due_days', -2147483648, 2147483647, 45040);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_run INT UNSIGNED DEFAULT NULL;
    DECLARE v_bill INT UNSIGNED DEFAULT NULL;
    DECLARE v_bills INT UNSIGNED;
    DECLARE v_total DECIMAL(14,2);
    DECLARE v_read_committed TINYINT
        DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE v_attempt TINYINT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    CALL _check_period(v_period_start, v_period_end, v_issue_date, v_due_days, v_actor);
    IF v_account_id IS NULL THEN
        CALL _fail(45002, 'account_id is required');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM account WHERE account_id = v_account_id) THEN
        CALL _fail(45001, CONCAT('no account with id ', v_account_id));
    END IF;
    SET @billing_actor = v_actor;

    DROP TEMPORARY TABLE IF EXISTS billing_chunk;
    CREATE TEMPORARY TABLE billing_chunk (account_id INT UNSIGNED NOT NULL PRIMARY KEY);
    INSERT INTO billing_chunk VALUES (v_account_id);

    -- A deadlock (1213) or lock wait timeout (1205), e.g. against a run billing the same
    -- account, rolls everything back and the account is billed again: up to 5 attempts.
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
            -- READ COMMITTED, as a run's chunks (_bill_run_chunks, "Isolation"): _bill_chunk
            -- decides under the locks it takes, and its INSERT ... SELECT reads lock nothing;
            -- under REPEATABLE READ they share-locked the meter a few statements before it is
            -- locked for writing, and a record_reading queued in between was a deadlock
            COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
            IF v_read_committed THEN
                SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
            END IF;
            START TRANSACTION;
            INSERT INTO billing_run (period_start, period_end, issue_date, due_days, accounts_total, started_by)
            VALUES (v_period_start, v_period_end, v_issue_date, v_due_days, 1, v_actor);
            SET v_run = LAST_INSERT_ID();
            CALL _bill_chunk(v_run, v_period_start, v_period_end, v_issue_date, v_due_days, v_actor, 1,
                             v_bills, v_total);
            UPDATE billing_run
            SET status = 'completed', finished_at = NOW(), accounts_done = 1,
                bills_created = v_bills, accounts_skipped = 1 - v_bills, total_billed = v_total
            WHERE run_id = v_run;
            SET v_bill = (SELECT bill_id FROM bill WHERE run_id = v_run AND account_id = v_account_id);
            -- a one-account run starts and ends in this transaction: one audit row
            CALL _audit('account_billed', 'billing_run', v_run, v_account_id,
                        JSON_OBJECT('period_start', v_period_start, 'period_end', v_period_end,
                                    'issue_date', v_issue_date, 'due_days', v_due_days,
                                    'bill_id', v_bill), v_actor);
            COMMIT;
            LEAVE attempt_loop;
        END;
    END LOOP;
    DROP TEMPORARY TABLE IF EXISTS billing_chunk;

    SELECT v_bill AS bill_id, v_run AS run_id;
END
