-- _create_customer: the body of create_customer, with typed arguments (internal; callers CALL create_customer,
-- which checks and converts the arguments first). What it does:
-- creates a customer and gives it the next customer number.
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
-- Example: CALL create_customer('Ada Lovelace', 'ada@example.org', NULL, '1 Main St',
--                               'staff:alice');
CREATE PROCEDURE _create_customer(IN p_full_name VARCHAR(1000), IN p_email VARCHAR(1000),
                                  IN p_phone VARCHAR(1000), IN p_address VARCHAR(2000),
                                  IN p_actor VARCHAR(255))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_name VARCHAR(1000) DEFAULT TRIM(p_full_name);
    DECLARE v_email VARCHAR(1000) DEFAULT NULLIF(TRIM(p_email), '');
    DECLARE v_phone VARCHAR(1000) DEFAULT NULLIF(TRIM(p_phone), '');
    DECLARE v_address VARCHAR(2000) DEFAULT NULLIF(TRIM(p_address), '');
    DECLARE v_no INT UNSIGNED;
    DECLARE v_customer_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF p_actor IS NULL OR TRIM(p_actor) = '' OR CHAR_LENGTH(p_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    CALL _check_customer_fields(v_name, v_email, v_phone, v_address);

    SET @billing_actor = p_actor;
    START TRANSACTION;
    CALL _next_number('customer', 0, v_no);
    INSERT INTO customer (customer_no, full_name, email, phone, address)
    VALUES (CONCAT('C', IF(v_no < 10000000, LPAD(v_no, 7, '0'), v_no)),
            v_name, v_email, v_phone, v_address);
    SET v_customer_id = LAST_INSERT_ID();
    COMMIT;

    SELECT customer_id, customer_no FROM customer WHERE customer_id = v_customer_id;
END
