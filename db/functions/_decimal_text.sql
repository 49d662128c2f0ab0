-- _decimal_text: a number as the messages print it: without the trailing zeros of its type's
-- scale (internal helper of the procedures' error messages).
--
-- The procedures convert a decimal argument into a wide local (an amount into DECIMAL(30,10),
-- so that a third decimal is seen and refused); CONCAT would print that local with all its
-- decimals ('not 0.0010000000', 'refund 100000.0000000000 is above ...'). This prints the
-- value the caller gave (0.001, 100000), with at least p_min_decimals decimals (2 for money:
-- 100000.00, 12.50).
-- Parameters
--   p_value         the number (NULL stays NULL)
--   p_min_decimals  the fewest decimals to print (0: none when the value is whole)
-- Returns VARCHAR(67): optional '-', the integer digits, then '.' and the decimals if any.
-- Example: SELECT _decimal_text(0.0010000000, 2), _decimal_text(100000, 2), _decimal_text(7.5, 0);
--   -- '0.001', '100000.00', '7.5'
CREATE FUNCTION _decimal_text(p_value DECIMAL(65,30), p_min_decimals TINYINT)
    RETURNS VARCHAR(67)
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v VARCHAR(67) DEFAULT CAST(p_value AS CHAR);
    DECLARE v_int VARCHAR(67) DEFAULT SUBSTRING_INDEX(v, '.', 1);
    DECLARE v_frac VARCHAR(67)
        DEFAULT TRIM(TRAILING '0' FROM IF(LOCATE('.', v) > 0, SUBSTRING(v, LOCATE('.', v) + 1), ''));
    IF p_value IS NULL THEN
        RETURN NULL;
    END IF;
    SET v_frac = RPAD(v_frac, GREATEST(CHAR_LENGTH(v_frac), p_min_decimals), '0');
    RETURN IF(v_frac = '', v_int, CONCAT(v_int, '.', v_frac));
END
