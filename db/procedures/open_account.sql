-- open_account: opens a service account for a customer on a tariff and gives it the next
-- account number.
--
-- Parameters
--   p_customer_id      the customer
--   p_tariff_code      the tariff's code (the account is billed on its versions)
--   p_service_address  required; trimmed, 1..500 characters
--   p_opened_on        required: the first day of service
--   p_actor            who acts, required
-- Result: one row (account_id, account_no); account_no is 'A' + 7 digits (A0000001), gapless.
-- Errors: 45001 NOT_FOUND (customer or tariff code); 45002 INVALID_ARGUMENT (no or too long
--         service address, no opened_on, no actor).
-- Note: the tariff need not have a version yet (billing reports NO_TARIFF until it has one).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _open_account: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL open_account(7, 'RES', '1 Main St', '2026-01-01', 'staff:alice');
CREATE PROCEDURE open_account(IN p_customer_id LONGTEXT,
                              IN p_tariff_code LONGTEXT,
                              IN p_service_address LONGTEXT,
                              IN p_opened_on LONGTEXT,
                              IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _open_account(_arg_int(p_customer_id, 'customer_id', 0, 4294967295, 45001),
                       _arg_text(p_tariff_code, 'tariff_code', 100),
                       _arg_text(p_service_address, 'service_address', 2000),
                       _arg_date(p_opened_on, 'opened_on'),
                       _arg_text(p_actor, 'actor', 255));
END
