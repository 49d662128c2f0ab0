-- preview_billing: what run_billing would bill for these arguments, kept as a preview
-- (billing-rules.md, "Simulations"): the bills line by line, the exceptions, and per bill the
-- comparison with the previous bill (usage_effect, other_effect, last year's bill) and a flag:
-- ZERO when C = 0 and not estimated, else HIGH when total > 2 x the previous bill's issued
-- total, else LOW when 4 x C < the previous bill's C (bills with a previous bill only).
--
-- Same engine and code path as the run, not a copy: the same candidates (_run_candidates), the
-- same chunks, the same computation (_compute_bills); where the run stores the bills
-- (_store_bills) the preview keeps them in preview_bill / preview_line / preview_exception
-- (_keep_preview).
-- Nothing else is written (no bill, number, reading, ledger row, audit row). Each chunk is its
-- own READ COMMITTED transaction with no locking read (consistent reads): a payment, a reading
-- or a run is never held up by a preview, and nothing is locked once it returns. (A server
-- writing a statement-based binary log refuses READ COMMITTED writes: there each chunk reads
-- under REPEATABLE READ and share-locks what it reads until its commit, one chunk at a time.)
-- Previews older than 7 days are discarded first. The preview shows the data as it was when
-- each chunk was read: a reading that arrives later changes the run, not the preview.
--
-- Parameters: as run_billing (p_period_start, p_period_end, p_issue_date, p_due_days, p_actor).
-- Result: preview_id, accounts_considered, bills, exceptions, total_billed, flagged
-- Errors: 45040 PERIOD_INVALID, 45002 empty actor (the run's own checks, so a preview that
--   succeeds is a run that may start).
-- Arguments arrive as LONGTEXT and are converted into typed locals (the _arg_* functions)
-- before anything is read or written.
-- Example: CALL preview_billing('2026-10-01', '2026-10-31', '2026-11-02', 14, 'staff:alice');
CREATE PROCEDURE preview_billing(IN p_period_start LONGTEXT,
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
    DECLARE v_preview INT UNSIGNED DEFAULT NULL;
    DECLARE v_chunk_size INT DEFAULT @billing_chunk_size;
    DECLARE v_after INT UNSIGNED DEFAULT 0;
    DECLARE v_n INT;
    DECLARE v_max INT UNSIGNED;
    DECLARE v_total INT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        IF v_preview IS NOT NULL THEN
            UPDATE billing_preview SET status = 'failed', finished_at = NOW() WHERE preview_id = v_preview;
            COMMIT;
        END IF;
        RESIGNAL;
    END;

    CALL _check_period(v_period_start, v_period_end, v_issue_date, v_due_days, v_actor);

    START TRANSACTION;
    DELETE FROM billing_preview WHERE created_at < NOW() - INTERVAL 7 DAY;
    COMMIT;

    CALL _run_candidates(v_period_start, v_period_end);
    SELECT COUNT(*) INTO v_total FROM run_candidates;
    -- the run's chunks: 1% of the accounts, 1 to 10,000 (run_billing)
    IF v_chunk_size IS NULL OR v_chunk_size < 1 THEN
        SET v_chunk_size = LEAST(10000, GREATEST(1, CEILING(v_total / 100)));
    END IF;

    START TRANSACTION;
    INSERT INTO billing_preview (period_start, period_end, issue_date, due_days, accounts_considered,
                                 created_by, created_at)
    VALUES (v_period_start, v_period_end, v_issue_date, v_due_days, v_total, v_actor, NOW());
    SET v_preview = LAST_INSERT_ID();
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

        -- (SET TRANSACTION applies to the next transaction, and none may be open: a caller
        -- without autocommit has one from the INSERT above)
        COMMIT;
        IF NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT') THEN
            SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
        END IF;
        START TRANSACTION;
        CALL _compute_bills(v_period_start, v_period_end, v_issue_date, 0);

        CALL _keep_preview(v_preview, v_period_start, v_period_end, v_issue_date, v_due_days, v_n);
        COMMIT;
        SET v_after = v_max;
    END LOOP;

    START TRANSACTION;
    UPDATE billing_preview
    SET status = 'completed', finished_at = NOW(),
        flagged = (SELECT COUNT(*) FROM preview_bill b WHERE b.preview_id = v_preview AND b.flag IS NOT NULL)
    WHERE preview_id = v_preview;
    COMMIT;
    DROP TEMPORARY TABLE IF EXISTS run_candidates;
    DROP TEMPORARY TABLE IF EXISTS billing_chunk;

    SELECT preview_id, accounts_considered, bills, exceptions, total_billed, flagged
    FROM billing_preview WHERE preview_id = v_preview;
END
