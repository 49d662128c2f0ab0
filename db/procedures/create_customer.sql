-- create_customer: creates a customer and gives it the next customer number.
--
-- Parameters
--   p_full_name  required; trimmed, 1..200 characters
--   p_email      optional (NULL or empty: none); trimmed, at most 254 characters, must look
--                like an e-mail address: one @, something before it, a dot inside the domain
--                part, no spaces
--   p_phone      optional (NULL or empty: none); trimmed, at most 40 characters
--   p_address    optional (NULL or empty: none); trimmed, at most 500 characters
--   p_actor      who acts (staff:<username>, ...), required, at most 100 characters
-- Result: one row (customer_id, customer_no); customer_no is 'C' + 7 digits (C0000001), gapless.
-- Errors: 45002 INVALID_ARGUMENT (empty or too long name, malformed e-mail, field too long,
--         no actor).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _create_customer: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL create_customer('Ada Lovelace', 'ada@example.org', NULL, '1 Main St',
--                               'staff:alice');
CREATE PROCEDURE create_customer(IN p_full_name LONGTEXT,
                                 IN p_email LONGTEXT,
                                 IN p_phone LONGTEXT,
                                 IN p_address LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _create_customer(_arg_text(p_full_name, 'full_name', 1000),
                          _arg_text(p_email, 'email', 1000),
                          _arg_text(p_phone, 'phone', 1000),
                          _arg_text(p_address, 'address', 2000),
                          _arg_text(p_actor, 'actor', 255));
END
