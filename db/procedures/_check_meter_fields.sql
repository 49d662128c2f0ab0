-- _check_meter_fields: validates the fields of a meter about to be installed (internal helper of
-- install_meter and exchange_meter, which check them before their transaction starts).
--
-- Parameters
--   p_prefix        the callers' argument prefix for messages: '' (install_meter: serial_no,
--                   ...) or 'new_' (exchange_meter: new_serial_no, ...)
--   p_serial        the trimmed serial number: required, at most 40 characters
--   p_dial_digits   1..9 (capacity 10^dial_digits)
--   p_multiplier    above zero, below 1,000,000, at most two decimals
--   p_initial_read  0 .. below the dial capacity, at most two decimals
-- Result: none.
-- Errors: 45002 INVALID_ARGUMENT naming the argument (with the caller's prefix).
-- Example: CALL _check_meter_fields('new_', 'SN-2', 6, 1, 0);
CREATE PROCEDURE _check_meter_fields(IN p_prefix VARCHAR(4), IN p_serial VARCHAR(200),
                                     IN p_dial_digits INT, IN p_multiplier DECIMAL(20,6),
                                     IN p_initial_read DECIMAL(20,6))
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    IF _is_blank(p_serial) THEN
        CALL _fail(45002, CONCAT(p_prefix, 'serial_no is required'));
    END IF;
    IF CHAR_LENGTH(p_serial) > 40 THEN
        CALL _fail(45002, CONCAT(p_prefix, 'serial_no is longer than 40 characters'));
    END IF;
    IF p_dial_digits IS NULL OR p_dial_digits < 1 OR p_dial_digits > 9 THEN
        CALL _fail(45002, CONCAT(p_prefix, 'dial_digits must be 1..9'));
    END IF;
    IF p_multiplier <= 0 OR p_multiplier >= 1000000 OR p_multiplier <> ROUND(p_multiplier, 2) THEN
        CALL _fail(45002, CONCAT(p_prefix,
                                 'multiplier must be above zero, below 1000000, with at most 2 decimals'));
    END IF;
    IF p_initial_read IS NULL OR p_initial_read < 0 OR p_initial_read >= POW(10, p_dial_digits)
       OR p_initial_read <> ROUND(p_initial_read, 2) THEN
        CALL _fail(45002, CONCAT(p_prefix, 'initial_read must be 0 .. below ', POW(10, p_dial_digits),
                                  ' (the dial capacity), with at most two decimals'));
    END IF;
END
