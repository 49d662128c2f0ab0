-- assign_discount: gives an account a discount for a range of days.
--
-- Every discount assigned to an account that is valid on a bill's period end gives that bill a
-- discount line (see the billing rules). One discount cannot be assigned twice to one account
-- for overlapping ranges; different discounts may overlap.
--
-- Parameters
--   p_account_id     the account
--   p_discount_code  the discount's code
--   p_valid_from     required: the first day the discount applies; on a closed account not
--                    after its last day (the days it was served can still be corrected)
--   p_valid_to       the last day it applies (inclusive), not before valid_from; NULL: open-ended
--   p_actor          who acts, required
-- Result: one row (account_discount_id).
-- Errors: 45001 NOT_FOUND (no such account or discount code); 45002 INVALID_ARGUMENT (no
--         valid_from, valid_to before valid_from, valid_from after a closed account's last day,
--         no actor); 45003 CONFLICT (the discount is
--         assigned to the account already for a range that overlaps this one).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL assign_discount(12, 'SENIOR', '2026-01-01', NULL, 'staff:alice');
CREATE PROCEDURE assign_discount(IN p_account_id LONGTEXT,
                                 IN p_discount_code LONGTEXT,
                                 IN p_valid_from LONGTEXT,
                                 IN p_valid_to LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_account_id INT UNSIGNED
        DEFAULT _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001);
    DECLARE v_discount_code VARCHAR(100) DEFAULT _arg_text(p_discount_code, 'discount_code', 100);
    DECLARE v_valid_from DATE DEFAULT _arg_date(p_valid_from, 'valid_from');
    DECLARE v_valid_to DATE DEFAULT _arg_date(p_valid_to, 'valid_to');
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_found INT UNSIGNED;
    DECLARE v_closed DATE;
    DECLARE v_discount_id INT UNSIGNED;
    DECLARE v_overlap INT;
    DECLARE v_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF v_account_id IS NULL THEN
        CALL _fail(45002, 'account_id is required');
    END IF;
    IF _is_blank(v_discount_code) THEN
        CALL _fail(45002, 'discount_code is required');
    END IF;
    IF v_valid_from IS NULL THEN
        CALL _fail(45002, 'valid_from is required');
    END IF;
    IF v_valid_to < v_valid_from THEN
        CALL _fail(45002, CONCAT('valid_to ', v_valid_to, ' is before valid_from ', v_valid_from));
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    -- the account row first (lock order); it also serializes assignments to the account
    SELECT account_id, closed_on INTO v_found, v_closed
      FROM account WHERE account_id = v_account_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no account with id ', v_account_id));
    END IF;
    IF v_valid_from > v_closed THEN
        CALL _fail(45002, CONCAT('valid_from ', v_valid_from,
                                  ' is after the account was closed (', v_closed, ')'));
    END IF;
    SELECT discount_id INTO v_discount_id FROM discount
     WHERE code = TRIM(v_discount_code) LOCK IN SHARE MODE;
    IF v_discount_id IS NULL THEN
        CALL _fail(45001, CONCAT('no discount with code ', LEFT(TRIM(v_discount_code), 100)));
    END IF;
    SELECT COUNT(*) INTO v_overlap FROM account_discount
     WHERE account_id = v_account_id AND discount_id = v_discount_id
       AND valid_from <= COALESCE(v_valid_to, '9999-12-31')
       AND COALESCE(valid_to, '9999-12-31') >= v_valid_from;
    IF v_overlap > 0 THEN
        CALL _fail(45003, CONCAT('discount ', LEFT(TRIM(v_discount_code), 40), ' is on account ',
                                  v_account_id, ' already for days that overlap ', v_valid_from,
                                  '..', COALESCE(v_valid_to, 'open end')));
    END IF;
    INSERT INTO account_discount (account_id, discount_id, valid_from, valid_to)
    VALUES (v_account_id, v_discount_id, v_valid_from, v_valid_to);
    SET v_id = LAST_INSERT_ID();
    COMMIT;

    SELECT v_id AS account_discount_id;
END
