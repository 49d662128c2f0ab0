-- _plain_datetime: the date and time a bank-file line states in the plain form, or NULL
-- (internal helper of post_payment_batch's set-based path). Never signals, never warns.
--
-- The plain form is 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' with two-digit fields, a calendar
-- day from 1900-01-01 to 2999-12-31 and a time of day. For such a text the value is exactly the
-- one post_payment's _arg_datetime gives. Any other text gives NULL, and the line goes
-- post_payment's own way (which accepts other forms too, or refuses the text).
-- The day is checked by arithmetic before any conversion, so an impossible day never reaches
-- a date function (whose warning a strict INSERT ... SELECT would turn into an error).
-- Parameters
--   p_value  the text as received (NULL gives NULL)
-- Returns DATETIME or NULL. Errors: none.
-- Example: SELECT _plain_datetime('2026-02-20');  -- 2026-02-20 00:00:00
CREATE FUNCTION _plain_datetime(p_value LONGTEXT)
    RETURNS DATETIME
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v_y INT;
    DECLARE v_m INT;
    DECLARE v_d INT;
    IF p_value IS NULL OR CHAR_LENGTH(p_value) > 19
       OR NOT p_value REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$' THEN
        RETURN NULL;
    END IF;
    SET v_y = CAST(SUBSTRING(p_value, 1, 4) AS UNSIGNED),
        v_m = CAST(SUBSTRING(p_value, 6, 2) AS UNSIGNED),
        v_d = CAST(SUBSTRING(p_value, 9, 2) AS UNSIGNED);
    IF v_y < 1900 OR v_y > 2999 OR v_m < 1 OR v_m > 12 OR v_d < 1
       OR v_d > CASE WHEN v_m = 2 THEN 28 + (v_y % 4 = 0 AND (v_y % 100 <> 0 OR v_y % 400 = 0))
                     WHEN v_m IN (4, 6, 9, 11) THEN 30 ELSE 31 END THEN
        RETURN NULL;
    END IF;
    IF CHAR_LENGTH(p_value) = 19
       AND (CAST(SUBSTRING(p_value, 12, 2) AS UNSIGNED) > 23
            OR CAST(SUBSTRING(p_value, 15, 2) AS UNSIGNED) > 59
            OR CAST(SUBSTRING(p_value, 18, 2) AS UNSIGNED) > 59) THEN
        RETURN NULL;
    END IF;
    RETURN CAST(IF(CHAR_LENGTH(p_value) = 10, CONCAT(p_value, ' 00:00:00'), p_value) AS DATETIME);
END
