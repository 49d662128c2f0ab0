-- _arg_int: converts an integer argument of a contract procedure (internal helper).
--
-- Accepts an optional sign and digits, with spaces around (what a client sends for an int or a
-- numeric string); anything else (letters, decimals, dates, exponents) is malformed. Converted
-- without a warning, so no raw conversion error (1264, 1265, 1366) can reach the caller.
-- Parameters
--   p_value        the argument as sent (NULL stays NULL)
--   p_name         the argument's name, for the message
--   p_min, p_max   the range of the typed parameter (e.g. 0..4294967295 for an INT UNSIGNED id)
--   p_range_errno  the error when outside the range (45001 for ids: no such id can exist)
-- Returns the value as BIGINT. Errors: 45002 when malformed, p_range_errno when out of range.
-- Example: SELECT _arg_int(' 42 ', 'account_id', 0, 4294967295, 45001);  -- 42
CREATE FUNCTION _arg_int(p_value LONGTEXT, p_name VARCHAR(64), p_min BIGINT, p_max BIGINT,
                         p_range_errno SMALLINT UNSIGNED)
    RETURNS BIGINT
    DETERMINISTIC
    CONTAINS SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v LONGTEXT DEFAULT TRIM(p_value);
    DECLARE v_digits LONGTEXT;
    DECLARE v_num DECIMAL(65,0);
    IF p_value IS NULL THEN
        RETURN NULL;
    END IF;
    IF CHAR_LENGTH(v) > 100 OR v REGEXP '[^-+0-9]' OR NOT v REGEXP '^[-+]?[0-9]+$' THEN
        CALL _fail(45002, CONCAT(p_name, ' is not a whole number'));
    END IF;
    SET v_digits = TRIM(LEADING '0' FROM TRIM(LEADING '+' FROM TRIM(LEADING '-' FROM v)));
    IF CHAR_LENGTH(v_digits) > 20 THEN
        CALL _fail(p_range_errno, CONCAT(p_name, ' is out of range (', p_min, '..', p_max, ')'));
    END IF;
    SET v_num = CAST(v AS DECIMAL(65,0));
    IF v_num < p_min OR v_num > p_max THEN
        CALL _fail(p_range_errno, CONCAT(p_name, ' is out of range (', p_min, '..', p_max, ')'));
    END IF;
    RETURN CAST(v_num AS SIGNED);
END
