-- install_meter: installs a new meter on an account and records its initial read.
--
-- Creates the meter, its installation on the account, and the meter's first reading point: a
-- meter_reading row of kind 'initial' (source 'field', status 'accepted', consumption 0, dated
-- installed_on, value initial_read). A meter is installed once; an account has at most one
-- active meter (an installation without removed_on).
--
-- Parameters
--   p_account_id    the account
--   p_serial_no     required; trimmed, 1..40 characters, unique
--   p_dial_digits   required: 1..9 (the register counts up to 10^dial_digits - 1)
--   p_multiplier    the CT ratio, above zero, at most 2 decimals (so consumption stays exact); NULL means 1
--   p_installed_on  required: not before the account was opened, not after it was closed
--   p_initial_read  required: the register value at installation, 0 <= value < 10^dial_digits,
--                   at most two decimals
--   p_actor         who acts, required
-- Result: one row (meter_id).
-- Errors: 45001 NOT_FOUND (no such account); 45002 INVALID_ARGUMENT (bad serial, dial digits,
--         multiplier, date or initial read, no actor); 45003 CONFLICT (the serial exists, or
--         the account has an active meter).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _install_meter: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL install_meter(12, 'SN-000123', 5, 1, '2026-01-01', 0, 'staff:alice');
CREATE PROCEDURE install_meter(IN p_account_id LONGTEXT,
                               IN p_serial_no LONGTEXT,
                               IN p_dial_digits LONGTEXT,
                               IN p_multiplier LONGTEXT,
                               IN p_installed_on LONGTEXT,
                               IN p_initial_read LONGTEXT,
                               IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _install_meter(_arg_int(p_account_id, 'account_id', 0, 4294967295, 45001),
                        _arg_text(p_serial_no, 'serial_no', 200),
                        _arg_int(p_dial_digits, 'dial_digits', -2147483648, 2147483647, 45002),
                        _arg_decimal(p_multiplier, 'multiplier', 14, 6, 45002),
                        _arg_date(p_installed_on, 'installed_on'),
                        _arg_decimal(p_initial_read, 'initial_read', 14, 6, 45002),
                        _arg_text(p_actor, 'actor', 255));
END
