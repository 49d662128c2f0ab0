-- apply_late_fees: charges the late fee on every bill past its due date with money still open.
--
-- A bill with due_date < p_as_of, money open (total_amount > amount_paid), not cancelled and
-- no late fee yet gets ROUND(open * late_fee_pct / 100, 2) (late_fee_pct of the tariff version
-- in force on the bill's period end), when that is above zero: a 'late_fee' bill line, the
-- bill's total rises by it, a ledger debit dated p_as_of, and the fees in the revenue report's
-- delta (report_revenue_part, migration 0121). Running it again charges
-- nothing twice (bill.late_fee_charged). Set-based, one transaction. The selection (which bills,
-- which fee) is _late_fee_candidates, shared with preview_late_fees: on the same data the
-- preview lists exactly the bills and fees charged here.
--
-- Parameters
--   p_as_of   the day the fees are assessed (usually today; not after today, the session's
--             CURRENT_DATE: a day not yet come would charge bills not yet overdue)
--   p_actor   who acts, e.g. 'batch:late_fees'
-- Result: bills_charged, total_fees
-- Errors: 45002 when p_as_of or p_actor is missing, or p_as_of is after today.
-- Locks: the accounts of the bills concerned (account_id order), then those bills (bill_id order).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL apply_late_fees(CURRENT_DATE, 'batch:late_fees');
CREATE PROCEDURE apply_late_fees(IN p_as_of LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_as_of DATE DEFAULT _arg_date(p_as_of, 'as_of');
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_locked INT;
    DECLARE v_bills INT DEFAULT 0;
    DECLARE v_total DECIMAL(14,2) DEFAULT 0;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF v_as_of IS NULL THEN
        CALL _fail(45002, 'as_of is required');
    END IF;
    IF v_as_of > CURRENT_DATE THEN
        CALL _fail(45002, CONCAT('as_of ', v_as_of, ' is after today ', CURRENT_DATE));
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    SET @billing_actor = v_actor;

    START TRANSACTION;
    SELECT COUNT(*) INTO v_locked
    FROM account a
    WHERE a.account_id IN (SELECT b.account_id FROM bill b
                           WHERE b.open_due_date < v_as_of AND b.late_fee_charged = 0)
    FOR UPDATE;

    -- open_due_date is due_date while money is open: the index scan (and its locks) covers
    -- only the bills that may get a fee, not every bill ever due.
    SELECT COUNT(*) INTO v_locked
    FROM bill b FORCE INDEX (ix_bill_open_due)
    WHERE b.open_due_date < v_as_of AND b.late_fee_charged = 0
    FOR UPDATE;

    -- the bills and fees: the same selection as preview_late_fees (_late_fee_candidates)
    CALL _late_fee_candidates(v_as_of);

    INSERT INTO bill_line (bill_id, line_no, kind, description, amount)
    SELECT bill_id, line_no, 'late_fee',
           CONCAT('Late fee: ', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM pct)), '% of ', open_amt, ' open after the due date'), fee
    FROM lf_fee;

    UPDATE bill b
    JOIN lf_fee f ON f.bill_id = b.bill_id
    SET b.total_amount = b.total_amount + f.fee, b.late_fee_charged = 1;

    -- the revenue report's figures (report_revenue_part, migration 0121): the fees by the
    -- month and tariff version of their bills
    INSERT INTO report_revenue_part (month_start, tariff_version_id, late_fee, total_billed)
    SELECT r.month_start, r.tariff_version_id, SUM(r.fee), SUM(r.fee)
      FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
                   b.tariff_version_id, f.fee
              FROM lf_fee f
              STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = f.bill_id
             WHERE b.cancelled_at IS NULL) r
     GROUP BY r.month_start, r.tariff_version_id;

    INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
    SELECT account_id, 'late_fee', fee, bill_id, v_as_of, v_actor FROM lf_fee ORDER BY bill_id;

    SELECT COUNT(*), COALESCE(SUM(fee), 0) INTO v_bills, v_total FROM lf_fee;
    -- one audit row per run, not per bill (the bills' ledger entries name the actor)
    CALL _audit('late_fees_applied', 'late_fee_run', CAST(v_as_of AS CHAR), NULL,
                JSON_OBJECT('as_of', v_as_of, 'bills_charged', v_bills, 'total_fees', v_total),
                v_actor);
    COMMIT;

    DROP TEMPORARY TABLE IF EXISTS lf_fee;

    SELECT v_bills AS bills_charged, v_total AS total_fees;
END
