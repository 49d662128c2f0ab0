-- preview_late_fees: which bills apply_late_fees would charge as of a day, and how much, without
-- charging anything: one row per bill, from the same selection as apply_late_fees
-- (_late_fee_candidates), so that on the same data the preview is exactly what apply charges.
--
-- Read-only: it writes only its own temporary table (dropped before it returns), no bill, line,
-- ledger or audit row. The selection runs in its own READ COMMITTED transaction (a consistent
-- read: no bill or account is locked, a payment is never held up; a server writing a
-- statement-based binary log reads under REPEATABLE READ instead, share-locking what it reads
-- until that one statement's commit), and nothing is locked once it returns.
--
-- Parameters
--   p_as_of   the day the fees would be assessed (not after today, as for apply_late_fees)
--   p_actor   who asks, e.g. 'staff:alice'
-- Result: one row per bill, by bill_id: bill_id, bill_no, account_id, account_no,
--   customer_name, due_date, open (the money open now), pct (late_fee_pct), fee. No row when
--   nothing would be charged.
-- Errors: 45002 when p_as_of or p_actor is missing, or p_as_of is after today (the checks of
--   apply_late_fees, so a preview that succeeds is an apply that may run).
-- Arguments arrive as LONGTEXT and are converted into typed locals (the _arg_* functions)
-- before anything is read.
-- Example: CALL preview_late_fees(CURRENT_DATE, 'staff:alice');
CREATE PROCEDURE preview_late_fees(IN p_as_of LONGTEXT,
                                   IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read
    DECLARE v_as_of DATE DEFAULT _arg_date(p_as_of, 'as_of');
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        DROP TEMPORARY TABLE IF EXISTS lf_fee;
        RESIGNAL;
    END;

    IF v_as_of IS NULL THEN
        CALL _fail(45002, 'as_of is required');
    END IF;
    IF v_as_of > CURRENT_DATE THEN
        CALL _fail(45002, CONCAT('as_of ', v_as_of, ' is after today ', CURRENT_DATE));
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;

    COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
    IF NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT') THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    CALL _late_fee_candidates(v_as_of);
    COMMIT;

    SELECT f.bill_id, b.bill_no, f.account_id, a.account_no, c.full_name AS customer_name,
           b.due_date, f.open_amt AS `open`, f.pct, f.fee
    FROM lf_fee f
    JOIN bill b ON b.bill_id = f.bill_id
    JOIN account a ON a.account_id = f.account_id
    JOIN customer c ON c.customer_id = a.customer_id
    ORDER BY f.bill_id;

    DROP TEMPORARY TABLE IF EXISTS lf_fee;
END
