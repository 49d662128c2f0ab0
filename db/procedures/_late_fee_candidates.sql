-- _late_fee_candidates: the bills that apply_late_fees would charge as of a day, and how much:
-- one selection for apply_late_fees (which charges them) and preview_late_fees (which only
-- shows them), so that the preview is exactly what apply then charges on the same data.
--
-- A bill is a candidate when its due_date is before p_as_of, money is open (total_amount >
-- amount_paid), it is not cancelled and it has no late fee yet (open_due_date is due_date while
-- money is open and the bill is not cancelled; late_fee_charged = 0), and its fee
-- ROUND(open * late_fee_pct / 100, 2) (the late_fee_pct of the tariff version in force on the
-- bill's period end, bill.tariff_version_id) is above zero.
--
-- Parameters
--   p_as_of  the day the fees are assessed (checked by the caller)
-- Result: none; fills the temporary table lf_fee (bill_id, account_id, open_amt, pct, fee,
--   line_no: the bill's next line number), re-created on every call. The caller drops it.
-- Errors: none of its own.
-- Locks: none of its own: apply_late_fees locks the accounts and bills first (its reads then see
--   the locked rows as they are); preview_late_fees reads a consistent snapshot.
-- Example: CALL _late_fee_candidates(CURRENT_DATE); SELECT * FROM lf_fee;
CREATE PROCEDURE _late_fee_candidates(IN p_as_of DATE)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DROP TEMPORARY TABLE IF EXISTS lf_fee;
    CREATE TEMPORARY TABLE lf_fee (
        bill_id    INT UNSIGNED      NOT NULL PRIMARY KEY,
        account_id INT UNSIGNED      NOT NULL,
        open_amt   DECIMAL(12,2)     NOT NULL,
        pct        DECIMAL(5,2)      NOT NULL,
        fee        DECIMAL(12,2)     NOT NULL,
        line_no    SMALLINT UNSIGNED NOT NULL
    );
    -- open_due_date is due_date while money is open: the index scan covers only the bills that
    -- may get a fee, not every bill ever due.
    INSERT INTO lf_fee
    SELECT f.bill_id, f.account_id, f.open_amt, f.pct, f.fee, f.line_no
    FROM (SELECT b.bill_id, b.account_id, b.total_amount - b.amount_paid AS open_amt,
                 v.late_fee_pct AS pct,
                 ROUND((b.total_amount - b.amount_paid) * v.late_fee_pct / 100, 2) AS fee,
                 (SELECT MAX(l.line_no) + 1 FROM bill_line l WHERE l.bill_id = b.bill_id) AS line_no
          FROM bill b FORCE INDEX (ix_bill_open_due)
          JOIN tariff_version v ON v.tariff_version_id = b.tariff_version_id
          WHERE b.open_due_date < p_as_of AND b.late_fee_charged = 0) f
    WHERE f.fee > 0;
END
