-- _create_tariff: the body of create_tariff, with typed arguments (internal; callers CALL create_tariff,
-- which checks and converts the arguments first). What it does:
-- creates a tariff (its prices come with add_tariff_version).
--
-- Parameters
--   p_code   required; trimmed, 1..20 characters, unique (case-insensitive)
--   p_name   required; trimmed, 1..100 characters
--   p_actor  who acts, required
-- Result: one row (tariff_id).
-- Errors: 45002 INVALID_ARGUMENT (no or too long code or name, no actor); 45003 CONFLICT
--         (a tariff with that code exists).
-- Example: CALL create_tariff('RES', 'Residential', 'staff:alice');
CREATE PROCEDURE _create_tariff(IN p_code VARCHAR(100), IN p_name VARCHAR(1000),
                                IN p_actor VARCHAR(255))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_code VARCHAR(100) DEFAULT TRIM(p_code);
    DECLARE v_name VARCHAR(1000) DEFAULT TRIM(p_name);
    DECLARE v_duplicate BOOLEAN DEFAULT FALSE;
    DECLARE v_tariff_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    -- a concurrent create of the same code: the unique key decides
    DECLARE CONTINUE HANDLER FOR 1062 SET v_duplicate = TRUE;

    -- arguments (no lock needed)
    IF p_actor IS NULL OR TRIM(p_actor) = '' OR CHAR_LENGTH(p_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF v_code IS NULL OR v_code = '' THEN
        CALL _fail(45002, 'code is required');
    END IF;
    IF CHAR_LENGTH(v_code) > 20 THEN
        CALL _fail(45002, 'code is longer than 20 characters');
    END IF;
    IF v_name IS NULL OR v_name = '' THEN
        CALL _fail(45002, 'name is required');
    END IF;
    IF CHAR_LENGTH(v_name) > 100 THEN
        CALL _fail(45002, 'name is longer than 100 characters');
    END IF;

    SET @billing_actor = p_actor;
    START TRANSACTION;
    INSERT INTO tariff (code, name) VALUES (v_code, v_name);
    IF v_duplicate THEN
        CALL _fail(45003, CONCAT('a tariff with code ', v_code, ' exists already'));
    END IF;
    SET v_tariff_id = LAST_INSERT_ID();
    COMMIT;

    SELECT v_tariff_id AS tariff_id;
END
