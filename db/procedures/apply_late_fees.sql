-- apply_late_fees: charges the late fee on every bill past its due date with money still open.
--
-- A bill with due_date < p_as_of, money open (total_amount > amount_paid), not cancelled and
-- no late fee yet gets ROUND(open * late_fee_pct / 100, 2) (late_fee_pct of the tariff version
-- in force on the bill's period end), when that is above zero: a 'late_fee' bill line, the
-- bill's total rises by it, and a ledger debit dated p_as_of. Running it again charges
-- nothing twice (bill.late_fee_charged). Set-based, one transaction.
--
-- Parameters
--   p_as_of   the day the fees are assessed (usually today)
--   p_actor   who acts, e.g. 'batch:late_fees'
-- Result: bills_charged, total_fees
-- Errors: 45002 when p_as_of or p_actor is missing.
-- Locks: the accounts of the bills concerned (account_id order), then those bills (bill_id order).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _apply_late_fees: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL apply_late_fees(CURRENT_DATE, 'batch:late_fees');
CREATE PROCEDURE apply_late_fees(IN p_as_of LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _apply_late_fees(_arg_date(p_as_of, 'as_of'),
                          _arg_text(p_actor, 'actor', 100));
END
