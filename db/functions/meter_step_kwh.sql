-- meter_step_kwh: the consumption between two register values of one meter.
--
-- Parameters
--   p_prev         the earlier register value
--   p_cur          the later register value
--   p_dial_digits  the meter's dial digits (capacity 10^dial_digits)
--   p_multiplier   the meter's multiplier (CT ratio)
-- Returns DECIMAL(14,4): (cur - prev) * multiplier when cur >= prev; when cur < prev and
--   capacity - prev + cur <= capacity / 10 it is a rollover: (capacity - prev + cur) * multiplier;
--   otherwise NULL (the reading runs backwards: READING_BACKWARDS for the caller).
-- Example: SELECT meter_step_kwh(9990, 15, 4, 1);  -- 25.0000, a rollover of a 4-dial meter
CREATE FUNCTION meter_step_kwh(p_prev DECIMAL(12,2), p_cur DECIMAL(12,2),
                               p_dial_digits TINYINT UNSIGNED, p_multiplier DECIMAL(8,2))
    RETURNS DECIMAL(14,4)
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v_capacity DECIMAL(12,0) DEFAULT POW(10, p_dial_digits);
    IF p_cur >= p_prev THEN
        RETURN (p_cur - p_prev) * p_multiplier;
    ELSEIF v_capacity - p_prev + p_cur <= v_capacity / 10 THEN
        RETURN (v_capacity - p_prev + p_cur) * p_multiplier;
    END IF;
    RETURN NULL;
END
