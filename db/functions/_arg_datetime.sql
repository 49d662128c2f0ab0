-- _arg_datetime: converts a date-and-time argument of a contract procedure (internal helper).
--
-- Accepts 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS' or with a fraction of up to
-- 6 digits (what a client sends for a datetime), the day checked as by _arg_date (1900..2999),
-- hours 0..23, minutes and seconds 0..59. Anything else is an error, without a raw conversion
-- error (1292) reaching the caller.
-- Parameters
--   p_value  the argument as sent (NULL stays NULL)
--   p_name   the argument's name, for the message
-- Returns the DATETIME (a fraction of a second is dropped). Errors: 45002 when malformed or out of range.
-- Example: SELECT _arg_datetime('2026-03-15 10:00:00', 'paid_at');
CREATE FUNCTION _arg_datetime(p_value LONGTEXT, p_name VARCHAR(64))
    RETURNS DATETIME
    DETERMINISTIC
    CONTAINS SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v LONGTEXT DEFAULT TRIM(p_value);
    DECLARE v_day DATE;
    DECLARE v_time LONGTEXT;
    DECLARE v_h INT;
    DECLARE v_mi INT;
    DECLARE v_s INT DEFAULT 0;
    IF p_value IS NULL THEN
        RETURN NULL;
    END IF;
    IF CHAR_LENGTH(v) > 30 OR v REGEXP '[^-0-9 :.]'
       OR NOT v REGEXP '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( +[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{1,6})?)?)?$' THEN
        CALL _fail(45002, CONCAT(p_name, ' is not a date and time (YYYY-MM-DD HH:MM:SS)'));
    END IF;
    SET v_day = _arg_date(SUBSTRING_INDEX(v, ' ', 1), p_name);
    IF LOCATE(' ', v) = 0 THEN
        RETURN CAST(v_day AS DATETIME);
    END IF;
    SET v_time = SUBSTRING_INDEX(SUBSTRING_INDEX(v, ' ', -1), '.', 1);
    SET v_h = CAST(SUBSTRING_INDEX(v_time, ':', 1) AS UNSIGNED);
    SET v_mi = CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(v_time, ':', 2), ':', -1) AS UNSIGNED);
    IF CHAR_LENGTH(v_time) - CHAR_LENGTH(REPLACE(v_time, ':', '')) = 2 THEN
        SET v_s = CAST(SUBSTRING_INDEX(v_time, ':', -1) AS UNSIGNED);
    END IF;
    IF v_h > 23 OR v_mi > 59 OR v_s > 59 THEN
        CALL _fail(45002, CONCAT(p_name, ' is not a time of day: ', v));
    END IF;
    RETURN CAST(v_day AS DATETIME) + INTERVAL v_h HOUR + INTERVAL v_mi MINUTE
           + INTERVAL v_s SECOND;
END
