-- create_discount: creates a discount: a percentage of the energy charge taken off the bills of
-- the accounts it is assigned to (see assign_discount and the billing rules).
--
-- Parameters
--   p_code   required; trimmed, then 1..20 of A-Z, 0-9, _ and - (no lowercase), unique
--   p_name   required; trimmed, 1..100 characters
--   p_pct    required; 0..100 with at most two decimals
--   p_actor  who acts, required
-- Result: one row (discount_id).
-- Errors: 45002 INVALID_ARGUMENT (no code, a code outside A-Z 0-9 _ - or too long, no or too
--         long name, pct missing, outside 0..100 or with more than two decimals, no actor);
--         45003 CONFLICT (a discount with that code exists).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL create_discount('SENIOR', 'Senior citizen', 10, 'staff:alice');
CREATE PROCEDURE create_discount(IN p_code LONGTEXT,
                                 IN p_name LONGTEXT,
                                 IN p_pct LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_code VARCHAR(100) DEFAULT TRIM(_arg_text(p_code, 'code', 100));
    DECLARE v_name VARCHAR(1000) DEFAULT TRIM(_arg_text(p_name, 'name', 1000));
    DECLARE v_pct DECIMAL(20,6) DEFAULT _arg_decimal(p_pct, 'pct', 14, 6, 45002);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_duplicate BOOLEAN DEFAULT FALSE;
    DECLARE v_discount_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    -- a concurrent create of the same code: the unique key decides
    DECLARE CONTINUE HANDLER FOR 1062 SET v_duplicate = TRUE;

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    CALL _check_code_and_name(v_code, v_name);
    IF v_pct IS NULL OR v_pct < 0 OR v_pct > 100 OR v_pct <> ROUND(v_pct, 2) THEN
        CALL _fail(45002, 'pct must be 0..100 with at most two decimals');
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    INSERT INTO discount (code, name, pct) VALUES (v_code, v_name, v_pct);
    IF v_duplicate THEN
        CALL _fail(45003, CONCAT('a discount with code ', LEFT(v_code, 80), ' exists already'));
    END IF;
    SET v_discount_id = LAST_INSERT_ID();
    COMMIT;

    SELECT v_discount_id AS discount_id;
END
