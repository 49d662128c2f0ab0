-- preview_bill_account: what bill_account would bill for one account and period, kept as a
-- preview (not in the contract; the back office shows it before a re-bill). The same engine as
-- bill_account (_compute_bills, without locks) and the same keeping as preview_billing
-- (_keep_preview); an account bill_account would not consider gets its reason as an exception
-- (ACCOUNT_NOT_OPEN, NO_METER, ALREADY_BILLED), as bill_account records it. Nothing else is
-- written and nothing is locked once it returns; one READ COMMITTED transaction of consistent
-- reads (see preview_billing).
--
-- Parameters: as bill_account (p_account_id, p_period_start, p_period_end, p_issue_date,
--   p_due_days, p_actor).
-- Result: preview_id, accounts_considered, bills, exceptions, total_billed, flagged
--   (as preview_billing; read the bill in v_preview_bills / v_preview_lines, the reason it is not
--   billed in v_preview_exceptions; discard_preview when done)
-- Errors: 45001 unknown account, 45040 PERIOD_INVALID, 45002 no account id, blank actor.
-- Arguments arrive as LONGTEXT and are converted into typed locals (the _arg_* functions)
-- before anything is read or written.
-- Example: CALL preview_bill_account(42, '2026-10-01', '2026-10-31', '2026-11-02', 14, 'staff:alice');
CREATE PROCEDURE preview_bill_account(IN p_account_id LONGTEXT,
                                      IN p_period_start LONGTEXT,
                                      IN p_period_end LONGTEXT,
                                      IN p_issue_date LONGTEXT,
                                      IN p_due_days LONGTEXT,
                                      IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_account_id INT UNSIGNED
        DEFAULT _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001);
    DECLARE v_period_start DATE DEFAULT _arg_date(p_period_start, 'period_start');
    DECLARE v_period_end DATE DEFAULT _arg_date(p_period_end, 'period_end');
    DECLARE v_issue_date DATE DEFAULT _arg_date(p_issue_date, 'issue_date');
    DECLARE v_due_days INT DEFAULT _arg_int(p_due_days, 'due_days', -2147483648, 2147483647, 45040);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_preview INT UNSIGNED DEFAULT NULL;
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

    DROP TEMPORARY TABLE IF EXISTS billing_chunk;
    CREATE TEMPORARY TABLE billing_chunk (account_id INT UNSIGNED NOT NULL PRIMARY KEY);
    INSERT INTO billing_chunk VALUES (v_account_id);
    -- SET TRANSACTION applies to the next transaction, and none may be open (see preview_billing)
    COMMIT;
    IF NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT') THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    DELETE FROM billing_preview WHERE created_at < NOW() - INTERVAL 7 DAY;
    INSERT INTO billing_preview (period_start, period_end, issue_date, due_days, accounts_considered,
                                 created_by, created_at)
    VALUES (v_period_start, v_period_end, v_issue_date, v_due_days, 1, v_actor, NOW());
    SET v_preview = LAST_INSERT_ID();
    CALL _compute_bills(v_period_start, v_period_end, v_issue_date, 0);
    CALL _keep_preview(v_preview, v_period_start, v_period_end, v_issue_date, v_due_days, 1);
    CALL _find_ineligible(v_period_start, v_period_end);
    INSERT INTO preview_exception (preview_id, account_id, code, detail)
    SELECT v_preview, account_id, code, detail FROM bc_ineligible;
    UPDATE billing_preview
    SET status = 'completed', finished_at = NOW(),
        exceptions = exceptions + (SELECT COUNT(*) FROM bc_ineligible),
        flagged = (SELECT COUNT(*) FROM preview_bill b WHERE b.preview_id = v_preview AND b.flag IS NOT NULL)
    WHERE preview_id = v_preview;
    COMMIT;
    DROP TEMPORARY TABLE IF EXISTS billing_chunk;

    SELECT preview_id, accounts_considered, bills, exceptions, total_billed, flagged
    FROM billing_preview WHERE preview_id = v_preview;
END
