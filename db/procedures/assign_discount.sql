-- assign_discount: gives an account a discount for a range of days.
--
-- Every discount assigned to an account that is valid on a bill's period end gives that bill a
-- discount line (see the billing rules). One discount cannot be assigned twice to one account
-- for overlapping ranges; different discounts may overlap.
--
-- Parameters
--   p_account_id     the account
--   p_discount_code  the discount's code
--   p_valid_from     required: the first day the discount applies
--   p_valid_to       the last day it applies (inclusive), not before valid_from; NULL: open-ended
--   p_actor          who acts, required
-- Result: one row (account_discount_id).
-- Errors: 45001 NOT_FOUND (no such account or discount code); 45002 INVALID_ARGUMENT (no
--         valid_from, valid_to before valid_from, no actor); 45003 CONFLICT (the discount is
--         assigned to the account already for a range that overlaps this one).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _assign_discount: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL assign_discount(12, 'SENIOR', '2026-01-01', NULL, 'staff:alice');
CREATE PROCEDURE assign_discount(IN p_account_id LONGTEXT,
                                 IN p_discount_code LONGTEXT,
                                 IN p_valid_from LONGTEXT,
                                 IN p_valid_to LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _assign_discount(_arg_int(p_account_id, 'account_id', 0, 4294967295, 45001),
                          _arg_text(p_discount_code, 'discount_code', 100),
                          _arg_date(p_valid_from, 'valid_from'),
                          _arg_date(p_valid_to, 'valid_to'),
                          _arg_text(p_actor, 'actor', 255));
END
