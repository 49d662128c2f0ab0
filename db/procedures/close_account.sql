-- close_account: closes an account: closed_on is its last day of service.
--
-- The account keeps its bills, payments and ledger; payments are refused once it is closed
-- (ACCOUNT_NOT_PAYABLE), and it counts as open on a day only up to closed_on (billing).
-- Its meter installation is left as it is (the meter stays with the closed account).
--
-- Parameters
--   p_account_id  the account
--   p_closed_on   required: the last day of service; not before opened_on and not before the
--                 end of the account's latest bill period (billed days stay billed; a
--                 cancelled bill bills nothing)
--   p_actor       who acts, required
-- Result: one row (account_id).
-- Errors: 45001 NOT_FOUND (no such account); 45002 INVALID_ARGUMENT (no closed_on, closed_on
--         before opened_on or before the latest bill's period_end, no actor); 45003 CONFLICT
--         (already closed).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _close_account: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL close_account(12, '2026-06-30', 'staff:alice');
CREATE PROCEDURE close_account(IN p_account_id LONGTEXT,
                               IN p_closed_on LONGTEXT,
                               IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _close_account(_arg_int(p_account_id, 'account_id', 0, 4294967295, 45001),
                        _arg_date(p_closed_on, 'closed_on'),
                        _arg_text(p_actor, 'actor', 255));
END
