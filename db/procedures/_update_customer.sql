-- _update_customer: the body of update_customer, with typed arguments (internal; callers CALL update_customer,
-- which checks and converts the arguments first). What it does:
-- replaces a customer's name and contact details (all fields at once).
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
-- Example: CALL update_customer(7, 'Ada King', 'ada@example.org', '555-0100', NULL,
--                               'staff:alice');
CREATE PROCEDURE _update_customer(IN p_customer_id INT UNSIGNED, IN p_full_name VARCHAR(1000),
                                  IN p_email VARCHAR(1000), IN p_phone VARCHAR(1000),
                                  IN p_address VARCHAR(2000), IN p_actor VARCHAR(255))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_name VARCHAR(1000) DEFAULT TRIM(p_full_name);
    DECLARE v_email VARCHAR(1000) DEFAULT NULLIF(TRIM(p_email), '');
    DECLARE v_phone VARCHAR(1000) DEFAULT NULLIF(TRIM(p_phone), '');
    DECLARE v_address VARCHAR(2000) DEFAULT NULLIF(TRIM(p_address), '');
    DECLARE v_found INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF p_actor IS NULL OR TRIM(p_actor) = '' OR CHAR_LENGTH(p_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF p_customer_id IS NULL THEN
        CALL _fail(45002, 'customer_id is required');
    END IF;
    CALL _check_customer_fields(v_name, v_email, v_phone, v_address);

    SET @billing_actor = p_actor;
    START TRANSACTION;
    SELECT customer_id INTO v_found FROM customer WHERE customer_id = p_customer_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no customer with id ', p_customer_id));
    END IF;
    UPDATE customer
       SET full_name = v_name, email = v_email, phone = v_phone, address = v_address
     WHERE customer_id = p_customer_id;
    COMMIT;

    SELECT p_customer_id AS customer_id;
END
