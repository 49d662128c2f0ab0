-- _arg_date: converts a date argument of a contract procedure (internal helper).
--
-- Accepts 'YYYY-MM-DD' (what a client sends for a date; month and day may have one digit),
-- with spaces around, for a real calendar day between 1900-01-01 and 2999-12-31 (the range the
-- billing dates live in; date arithmetic on them, e.g. issue date + due days, cannot overflow).
-- Anything else ('2026-02-30', '0001-01-01', '9999-12-31', a datetime, text, a number) is an
-- error. Checked without a warning, so no raw conversion error (1292) reaches the caller.
-- Parameters
--   p_value  the argument as sent (NULL stays NULL)
--   p_name   the argument's name, for the message
-- Returns the DATE. Errors: 45002 when malformed, not a calendar day or out of range.
-- Example: SELECT _arg_date('2026-02-28', 'read_on');  -- 2026-02-28
CREATE FUNCTION _arg_date(p_value LONGTEXT, p_name VARCHAR(64))
    RETURNS DATE
    DETERMINISTIC
    CONTAINS SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v LONGTEXT DEFAULT TRIM(p_value);
    DECLARE v_y INT;
    DECLARE v_m INT;
    DECLARE v_d INT;
    DECLARE v_first DATE;
    IF p_value IS NULL THEN
        RETURN NULL;
    END IF;
    IF CHAR_LENGTH(v) > 10 OR v REGEXP '[^-0-9]'
       OR NOT v REGEXP '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$' THEN
        CALL _fail(45002, CONCAT(p_name, ' is not a date (YYYY-MM-DD)'));
    END IF;
    SET v_y = CAST(SUBSTRING_INDEX(v, '-', 1) AS UNSIGNED);
    SET v_m = CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(v, '-', 2), '-', -1) AS UNSIGNED);
    SET v_d = CAST(SUBSTRING_INDEX(v, '-', -1) AS UNSIGNED);
    IF v_y < 1900 OR v_y > 2999 THEN
        CALL _fail(45002, CONCAT(p_name, ' is out of range (1900-01-01..2999-12-31)'));
    END IF;
    IF v_m < 1 OR v_m > 12 OR v_d < 1 THEN
        CALL _fail(45002, CONCAT(p_name, ' is not a calendar day: ', v));
    END IF;
    SET v_first = MAKEDATE(v_y, 1) + INTERVAL (v_m - 1) MONTH;
    IF v_d > DAY(LAST_DAY(v_first)) THEN
        CALL _fail(45002, CONCAT(p_name, ' is not a calendar day: ', v));
    END IF;
    RETURN v_first + INTERVAL (v_d - 1) DAY;
END
