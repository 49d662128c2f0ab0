-- _check_customer_fields: validates the contact fields of create_customer and update_customer
-- (internal helper; the callers have trimmed the values and turned empty optional ones to NULL).
--
-- Parameters
--   p_name     full name: required, at most 200 characters
--   p_email    NULL or an e-mail address (one @, a dot in the domain, no spaces), <= 254
--   p_phone    NULL or at most 40 characters
--   p_address  NULL or at most 500 characters
-- Result: none.
-- Errors: 45002 INVALID_ARGUMENT naming the field.
-- Example: CALL _check_customer_fields('Ada Lovelace', 'ada@example.org', NULL, NULL);
CREATE PROCEDURE _check_customer_fields(IN p_name VARCHAR(1000), IN p_email VARCHAR(1000),
                                        IN p_phone VARCHAR(1000), IN p_address VARCHAR(2000))
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    IF _is_blank(p_name) THEN
        CALL _fail(45002, 'full_name is required');
    END IF;
    IF CHAR_LENGTH(p_name) > 200 THEN
        CALL _fail(45002, 'full_name is longer than 200 characters');
    END IF;
    IF p_email IS NOT NULL AND (CHAR_LENGTH(p_email) > 254
        OR NOT p_email REGEXP '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$') THEN
        CALL _fail(45002, CONCAT('email is not a valid e-mail address: ', LEFT(p_email, 80)));
    END IF;
    IF CHAR_LENGTH(p_phone) > 40 THEN
        CALL _fail(45002, 'phone is longer than 40 characters');
    END IF;
    IF CHAR_LENGTH(p_address) > 500 THEN
        CALL _fail(45002, 'address is longer than 500 characters');
    END IF;
END
