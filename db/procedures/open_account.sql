-- open_account: opens a service account for a customer on a tariff and gives it the next
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
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL open_account(7, 'RES', '1 Main St', '2026-01-01', 'staff:alice');
CREATE PROCEDURE open_account(IN p_customer_id LONGTEXT,
                              IN p_tariff_code LONGTEXT,
                              IN p_service_address LONGTEXT,
                              IN p_opened_on LONGTEXT,
                              IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_customer_id INT UNSIGNED
        DEFAULT _arg_int(p_customer_id, 'customer_id', 0, 4294967295, 45001);
    DECLARE v_tariff_code VARCHAR(100) DEFAULT _arg_text(p_tariff_code, 'tariff_code', 100);
    DECLARE v_service_address VARCHAR(2000)
        DEFAULT _arg_text(p_service_address, 'service_address', 2000);
    DECLARE v_opened_on DATE DEFAULT _arg_date(p_opened_on, 'opened_on');
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_address VARCHAR(2000) DEFAULT TRIM(v_service_address);
    DECLARE v_found_customer_id INT UNSIGNED;
    DECLARE v_tariff_id INT UNSIGNED;
    DECLARE v_no INT UNSIGNED;
    DECLARE v_account_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF v_customer_id IS NULL THEN
        CALL _fail(45002, 'customer_id is required');
    END IF;
    IF _is_blank(v_tariff_code) THEN
        CALL _fail(45002, 'tariff_code is required');
    END IF;
    IF _is_blank(v_address) THEN
        CALL _fail(45002, 'service_address is required');
    END IF;
    IF CHAR_LENGTH(v_address) > 500 THEN
        CALL _fail(45002, 'service_address is longer than 500 characters');
    END IF;
    IF v_opened_on IS NULL THEN
        CALL _fail(45002, 'opened_on is required');
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    -- shared locks: neither row may go away before the account refers to it
    SELECT customer_id INTO v_found_customer_id FROM customer
     WHERE customer_id = v_customer_id LOCK IN SHARE MODE;
    IF v_found_customer_id IS NULL THEN
        CALL _fail(45001, CONCAT('no customer with id ', v_customer_id));
    END IF;
    SELECT tariff_id INTO v_tariff_id FROM tariff
     WHERE code = TRIM(v_tariff_code) LOCK IN SHARE MODE;
    IF v_tariff_id IS NULL THEN
        CALL _fail(45001, CONCAT('no tariff with code ', LEFT(TRIM(v_tariff_code), 100)));
    END IF;
    CALL _next_number('account', 0, v_no);
    INSERT INTO account (account_no, customer_id, tariff_id, service_address, opened_on)
    VALUES (CONCAT('A', IF(v_no < 10000000, LPAD(v_no, 7, '0'), v_no)),
            v_found_customer_id, v_tariff_id, v_address, v_opened_on);
    SET v_account_id = LAST_INSERT_ID();
    COMMIT;

    SELECT account_id, account_no FROM account WHERE account_id = v_account_id;
END
