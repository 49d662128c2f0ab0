-- _check_code_and_name: validates the code and name of a new tariff or discount (internal
-- helper of create_tariff and create_discount; the callers have trimmed both).
--
-- Parameters
--   p_code  required, 1 to 20 of A-Z, 0-9, _ and - (no lowercase; migration 0021's CHECK
--           constraints hold the same rule on the tables)
--   p_name  required, at most 100 characters
-- Result: none.
-- Errors: 45002 INVALID_ARGUMENT naming the field.
-- Example: CALL _check_code_and_name('RES', 'Residential');
CREATE PROCEDURE _check_code_and_name(IN p_code VARCHAR(100), IN p_name VARCHAR(1000))
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    IF _is_blank(p_code) THEN
        CALL _fail(45002, 'code is required');
    END IF;
    IF CHAR_LENGTH(p_code) > 20 THEN
        CALL _fail(45002, 'code is longer than 20 characters');
    END IF;
    IF CONVERT(p_code USING utf8mb4) COLLATE utf8mb4_bin REGEXP '[^A-Z0-9_-]' THEN
        CALL _fail(45002, CONCAT('code may hold only A-Z, 0-9, _ and -, not ''', LEFT(p_code, 20), ''''));
    END IF;
    IF _is_blank(p_name) THEN
        CALL _fail(45002, 'name is required');
    END IF;
    IF CHAR_LENGTH(p_name) > 100 THEN
        CALL _fail(45002, 'name is longer than 100 characters');
    END IF;
END
