-- reverse_payment: reverses a posted payment (a bounced cheque, a charge-back).
--
-- Every allocation of the payment is undone by rows of the opposite sign (per bill one negative
-- allocation of the payment's net amount on it; allocations are never edited or deleted), the
-- bills' amount_paid drops by as much, the payment's amount_allocated becomes 0 and its
-- unallocated credit is gone with it; the ledger is debited the payment's amount (entry_type
-- 'payment_reversal'). On every bill that loses money and had its early-payment rebate granted,
-- the rebate is revoked: bill line 'rebate_revoked' +R, total_amount += R, rebate_granted = 0,
-- ledger debit +R (entry_type 'rebate_revoked'). The payment is marked 'reversed' with
-- reversed_at, reversed_by and reversal_reason. A payment is reversed at most once.
-- Ledger rows are dated today (CURRENT_DATE). Credit that other payments of the account still
-- carry then goes to the reopened bills at once (_allocate_payment, payment id order, today as
-- the payment date), as the billing engine does when it issues a bill: an account never shows
-- open bills and unallocated credit side by side.
--
-- Parameters
--   p_payment_id  the payment to reverse
--   p_reason      why (required; kept in payment.reversal_reason)
--   p_actor       who acts (staff:<username>, batch:<job>)
-- Result (one row): payment_id, balance_after (the account's balance after the reversal)
-- Errors
--   45001 no payment with that id      45002 empty reason or actor
--   45003 part of the payment's money was refunded (refund_credit)
--   45023 the payment was reversed before (also the loser of two racing reversals)
-- Locks: the payment's account is found by a plain read (account_id never changes); then, in
-- one transaction, the account row, its bills, the payment row (FOR UPDATE), and the status is
-- checked under that lock; then the payments with credit (_allocate_payment locks each).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _reverse_payment: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example:
--   CALL reverse_payment(42, 'cheque returned unpaid', 'staff:alice');
CREATE PROCEDURE reverse_payment(IN p_payment_id LONGTEXT,
                                 IN p_reason LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _reverse_payment(_arg_int(p_payment_id, 'payment_id', 0, 4294967295, 45001),
                          _arg_text(p_reason, 'reason', 500),
                          _arg_text(p_actor, 'actor', 100));
END
