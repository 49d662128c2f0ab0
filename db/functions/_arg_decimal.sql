-- _arg_decimal: converts a decimal argument of a contract procedure (internal helper).
--
-- Accepts an optional sign, digits and a decimal point, with spaces around (what a client sends
-- for a Decimal, an int, a short float or a numeric string); anything else (letters, dates,
-- exponents such as 1e-30) is malformed. Converted without a warning: no raw conversion error
-- (1264, 1265, 1366) can reach the caller, and nothing is rounded silently.
-- Parameters
--   p_value       the argument as sent (NULL stays NULL)
--   p_name        the argument's name, for the message
--   p_int_digits  most digits before the point (M - D of the typed parameter DECIMAL(M,D))
--   p_scale       most digits after the point (D)
--   p_errno       the error when it has more digits than that (45002, or the procedure's own
--                 out-of-range error such as 45020 for a payment amount)
-- Returns the value as DECIMAL(65,30). Errors: 45002 when malformed, p_errno when too big or
--   too precise.
-- Example: SELECT _arg_decimal('12.50', 'amount', 20, 10, 45020);  -- 12.5
CREATE FUNCTION _arg_decimal(p_value LONGTEXT, p_name VARCHAR(64), p_int_digits INT,
                             p_scale INT, p_errno SMALLINT UNSIGNED)
    RETURNS DECIMAL(65,30)
    DETERMINISTIC
    CONTAINS SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v LONGTEXT DEFAULT TRIM(p_value);
    DECLARE v_abs LONGTEXT;
    DECLARE v_int LONGTEXT;
    DECLARE v_frac LONGTEXT;
    IF p_value IS NULL THEN
        RETURN NULL;
    END IF;
    IF CHAR_LENGTH(v) > 200 OR v REGEXP '[^-+.0-9]'
       OR NOT v REGEXP '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)$' THEN
        CALL _fail(45002, CONCAT(p_name, ' is not a number'));
    END IF;
    SET v_abs = TRIM(LEADING '+' FROM TRIM(LEADING '-' FROM v));
    SET v_int = TRIM(LEADING '0' FROM SUBSTRING_INDEX(v_abs, '.', 1));
    SET v_frac = IF(LOCATE('.', v_abs) > 0,
                    TRIM(TRAILING '0' FROM SUBSTRING(v_abs, LOCATE('.', v_abs) + 1)), '');
    IF CHAR_LENGTH(v_int) > p_int_digits THEN
        CALL _fail(p_errno, CONCAT(p_name, ' is too big (at most ', p_int_digits,
                                   ' digits before the point)'));
    END IF;
    IF CHAR_LENGTH(v_frac) > p_scale THEN
        CALL _fail(p_errno, CONCAT(p_name, ' has more than ', p_scale, ' decimals'));
    END IF;
    RETURN CAST(CONCAT(IF(LEFT(v, 1) = '-', '-', ''), IF(v_int = '', '0', v_int), '.',
                       IF(v_frac = '', '0', v_frac)) AS DECIMAL(65,30));
END
