-- update_customer: replaces a customer's name and contact details (all fields at once).
--
-- Parameters
--   p_customer_id  the customer
--   p_full_name    required; trimmed, 1..200 characters
--   p_email        optional (NULL or empty: none); same rule as create_customer
--   p_phone        optional (NULL or empty: none); at most 40 characters
--   p_address      optional (NULL or empty: none); at most 500 characters
--   p_actor        who acts, required
-- Result: one row (customer_id).
-- Errors: 45001 NOT_FOUND (no such customer); 45002 INVALID_ARGUMENT (as create_customer).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _update_customer: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL update_customer(7, 'Ada King', 'ada@example.org', '555-0100', NULL,
--                               'staff:alice');
CREATE PROCEDURE update_customer(IN p_customer_id LONGTEXT,
                                 IN p_full_name LONGTEXT,
                                 IN p_email LONGTEXT,
                                 IN p_phone LONGTEXT,
                                 IN p_address LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _update_customer(_arg_int(p_customer_id, 'customer_id', 0, 4294967295, 45001),
                          _arg_text(p_full_name, 'full_name', 1000),
                          _arg_text(p_email, 'email', 1000),
                          _arg_text(p_phone, 'phone', 1000),
                          _arg_text(p_address, 'address', 2000),
                          _arg_text(p_actor, 'actor', 255));
END
