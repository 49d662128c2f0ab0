-- create_customer: creates a customer and gives it the next customer number.
--
-- Parameters
--   p_full_name  required; trimmed, 1..200 characters
--   p_email      optional (NULL or blank: none); trimmed, at most 254 characters, must look
--                like an e-mail address: one @, something before it, a dot inside the domain
--                part, no spaces
--   p_phone      optional (NULL or blank: none); trimmed, at most 40 characters
--   p_address    optional (NULL or blank: none); trimmed, at most 500 characters
--   p_actor      who acts (staff:<username>, ...), required, at most 100 characters
-- Result: one row (customer_id, customer_no); customer_no is 'C' + 7 digits (C0000001), gapless.
-- Errors: 45002 INVALID_ARGUMENT (empty or too long name, malformed e-mail, field too long,
--         no actor).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
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
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_full_name VARCHAR(1000) DEFAULT _arg_text(p_full_name, 'full_name', 1000);
    DECLARE v_email VARCHAR(1000) DEFAULT _arg_text(p_email, 'email', 1000);
    DECLARE v_phone VARCHAR(1000) DEFAULT _arg_text(p_phone, 'phone', 1000);
    DECLARE v_address VARCHAR(2000) DEFAULT _arg_text(p_address, 'address', 2000);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_name VARCHAR(1000) DEFAULT TRIM(v_full_name);
    DECLARE v_no INT UNSIGNED;
    DECLARE v_customer_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- blank contact details (empty or nothing but whitespace: _is_blank) are stored as NULL
    SET v_email = IF(_is_blank(v_email), NULL, TRIM(v_email)),
        v_phone = IF(_is_blank(v_phone), NULL, TRIM(v_phone)),
        v_address = IF(_is_blank(v_address), NULL, TRIM(v_address));

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    CALL _check_customer_fields(v_name, v_email, v_phone, v_address);

    SET @billing_actor = v_actor;
    START TRANSACTION;
    CALL _next_number('customer', 0, v_no);
    INSERT INTO customer (customer_no, full_name, email, phone, address)
    VALUES (CONCAT('C', IF(v_no < 10000000, LPAD(v_no, 7, '0'), v_no)),
            v_name, v_email, v_phone, v_address);
    SET v_customer_id = LAST_INSERT_ID();
    COMMIT;

    SELECT customer_id, customer_no FROM customer WHERE customer_id = v_customer_id;
END
