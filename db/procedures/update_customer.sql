-- update_customer: replaces a customer's name and contact details (all fields at once).
--
-- Parameters
--   p_customer_id  the customer
--   p_full_name    required; trimmed, 1..200 characters
--   p_email        optional (NULL or blank: none); same rule as create_customer
--   p_phone        optional (NULL or blank: none); at most 40 characters
--   p_address      optional (NULL or blank: none); at most 500 characters
--   p_actor        who acts, required
-- Result: one row (customer_id).
-- Errors: 45001 NOT_FOUND (no such customer); 45002 INVALID_ARGUMENT (as create_customer).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
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
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_customer_id INT UNSIGNED
        DEFAULT _arg_int(p_customer_id, 'customer_id', 0, 4294967295, 45001);
    DECLARE v_full_name VARCHAR(1000) DEFAULT _arg_text(p_full_name, 'full_name', 1000);
    DECLARE v_email VARCHAR(1000) DEFAULT _arg_text(p_email, 'email', 1000);
    DECLARE v_phone VARCHAR(1000) DEFAULT _arg_text(p_phone, 'phone', 1000);
    DECLARE v_address VARCHAR(2000) DEFAULT _arg_text(p_address, 'address', 2000);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_name VARCHAR(1000) DEFAULT TRIM(v_full_name);
    DECLARE v_found INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- blank contact details (empty or nothing but whitespace: _is_blank) are stored as NULL
    SET v_email = IF(_is_blank(v_email), NULL, TRIM(v_email)),
        v_phone = IF(_is_blank(v_phone), NULL, TRIM(v_phone)),
        v_address = IF(_is_blank(v_address), NULL, TRIM(v_address));

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF v_customer_id IS NULL THEN
        CALL _fail(45002, 'customer_id is required');
    END IF;
    CALL _check_customer_fields(v_name, v_email, v_phone, v_address);

    SET @billing_actor = v_actor;
    START TRANSACTION;
    SELECT customer_id INTO v_found FROM customer WHERE customer_id = v_customer_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no customer with id ', v_customer_id));
    END IF;
    UPDATE customer
       SET full_name = v_name, email = v_email, phone = v_phone, address = v_address
     WHERE customer_id = v_customer_id;
    COMMIT;

    SELECT v_customer_id AS customer_id;
END
