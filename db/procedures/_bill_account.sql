-- _bill_account: the body of bill_account, with typed arguments (internal; callers CALL bill_account,
-- which checks and converts the arguments first). What it does:
-- bills one account for a period (a re-bill after an exception was fixed, or a
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
-- Result: bill_id (NULL when the account was not billed; the reason is in v_billing_exceptions)
-- Errors: 45001 unknown account, 45040 PERIOD_INVALID, 45002 empty actor.
--   A deadlock (1213) or lock wait timeout (1205) is retried inside, 5 attempts in all;
--   the 5th is raised.
-- Example: CALL bill_account(42, '2026-10-01', '2026-10-31', '2026-11-01', 14, 'staff:alice');
CREATE PROCEDURE _bill_account(IN p_account_id INT UNSIGNED, IN p_period_start DATE,
                               IN p_period_end DATE, IN p_issue_date DATE, IN p_due_days INT,
                               IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_run INT UNSIGNED DEFAULT NULL;
    DECLARE v_bill INT UNSIGNED DEFAULT NULL;
    DECLARE v_attempt TINYINT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    CALL _check_period(p_period_start, p_period_end, p_issue_date, p_due_days, p_actor);
    IF p_account_id IS NULL OR NOT EXISTS (SELECT 1 FROM account WHERE account_id = p_account_id) THEN
        CALL _fail(45001, CONCAT('no account with id ', COALESCE(p_account_id, 'NULL')));
    END IF;
    SET @billing_actor = p_actor;

    DROP TEMPORARY TABLE IF EXISTS billing_chunk;
    CREATE TEMPORARY TABLE billing_chunk (account_id INT UNSIGNED NOT NULL PRIMARY KEY);
    INSERT INTO billing_chunk VALUES (p_account_id);

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
            START TRANSACTION;
            INSERT INTO billing_run (period_start, period_end, issue_date, due_days, accounts_total, started_by)
            VALUES (p_period_start, p_period_end, p_issue_date, p_due_days, 1, p_actor);
            SET v_run = LAST_INSERT_ID();
            CALL _bill_chunk(v_run, p_period_start, p_period_end, p_issue_date, p_due_days, p_actor, 1);
            UPDATE billing_run SET status = 'completed', finished_at = NOW() WHERE run_id = v_run;
            SET v_bill = (SELECT bill_id FROM bill WHERE run_id = v_run AND account_id = p_account_id);
            COMMIT;
            LEAVE attempt_loop;
        END;
    END LOOP;
    DROP TEMPORARY TABLE IF EXISTS billing_chunk;

    SELECT v_bill AS bill_id;
END
