-- _arg_text: checks a text argument of a contract procedure (internal helper of the wrappers).
--
-- The contract procedures take their arguments as LONGTEXT so that any value a caller sends
-- reaches the procedure (a typed parameter would fail with a raw server error, e.g. 1406 data
-- too long, before the procedure body runs); the _arg_* helpers check and convert them.
-- Parameters
--   p_value  the argument as sent (NULL stays NULL)
--   p_name   the argument's name, for the message
--   p_max    the most characters allowed (the typed parameter's length)
-- Returns the value unchanged. Errors: 45002 when it is longer than p_max characters.
-- Example: SELECT _arg_text('Ada', 'full_name', 1000);  -- 'Ada'
CREATE FUNCTION _arg_text(p_value LONGTEXT, p_name VARCHAR(64), p_max INT)
    RETURNS LONGTEXT
    DETERMINISTIC
    CONTAINS SQL
    SQL SECURITY INVOKER
BEGIN
    IF p_value IS NOT NULL AND CHAR_LENGTH(p_value) > p_max THEN
        CALL _fail(45002, CONCAT(p_name, ' is longer than ', p_max, ' characters'));
    END IF;
    RETURN p_value;
END
