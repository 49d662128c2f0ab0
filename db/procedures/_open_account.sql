-- _open_account: the body of open_account, with typed arguments (internal; callers CALL open_account,
-- which checks and converts the arguments first). What it does:
-- opens a service account for a customer on a tariff and gives it the next
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
-- Example: CALL open_account(7, 'RES', '1 Main St', '2026-01-01', 'staff:alice');
CREATE PROCEDURE _open_account(IN p_customer_id INT UNSIGNED, IN p_tariff_code VARCHAR(100),
                               IN p_service_address VARCHAR(2000), IN p_opened_on DATE,
                               IN p_actor VARCHAR(255))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_address VARCHAR(2000) DEFAULT TRIM(p_service_address);
    DECLARE v_customer_id INT UNSIGNED;
    DECLARE v_tariff_id INT UNSIGNED;
    DECLARE v_no INT UNSIGNED;
    DECLARE v_account_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF p_actor IS NULL OR TRIM(p_actor) = '' OR CHAR_LENGTH(p_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF p_customer_id IS NULL THEN
        CALL _fail(45002, 'customer_id is required');
    END IF;
    IF p_tariff_code IS NULL OR TRIM(p_tariff_code) = '' THEN
        CALL _fail(45002, 'tariff_code is required');
    END IF;
    IF v_address IS NULL OR v_address = '' THEN
        CALL _fail(45002, 'service_address is required');
    END IF;
    IF CHAR_LENGTH(v_address) > 500 THEN
        CALL _fail(45002, 'service_address is longer than 500 characters');
    END IF;
    IF p_opened_on IS NULL THEN
        CALL _fail(45002, 'opened_on is required');
    END IF;

    SET @billing_actor = p_actor;
    START TRANSACTION;
    -- shared locks: neither row may go away before the account refers to it
    SELECT customer_id INTO v_customer_id FROM customer
     WHERE customer_id = p_customer_id LOCK IN SHARE MODE;
    IF v_customer_id IS NULL THEN
        CALL _fail(45001, CONCAT('no customer with id ', p_customer_id));
    END IF;
    SELECT tariff_id INTO v_tariff_id FROM tariff
     WHERE code = TRIM(p_tariff_code) LOCK IN SHARE MODE;
    IF v_tariff_id IS NULL THEN
        CALL _fail(45001, CONCAT('no tariff with code ', LEFT(TRIM(p_tariff_code), 100)));
    END IF;
    CALL _next_number('account', 0, v_no);
    INSERT INTO account (account_no, customer_id, tariff_id, service_address, opened_on)
    VALUES (CONCAT('A', IF(v_no < 10000000, LPAD(v_no, 7, '0'), v_no)),
            v_customer_id, v_tariff_id, v_address, p_opened_on);
    SET v_account_id = LAST_INSERT_ID();
    COMMIT;

    SELECT account_id, account_no FROM account WHERE account_id = v_account_id;
END
