-- _register_advance: the register advance between two points of one meter that are not
-- consecutive, e.g. across points in review that are passed over (billing-rules.md: "Earlier
-- points of the window in review are passed over when the latest one is accepted"; the high-use
-- history's intervals "may span them"; an interpolated estimate's step to the first accepted
-- point after the period).
--
-- Each stored point keeps meter_step_kwh from the point just before it, whatever that one's
-- status: a reading is checked against the meter's latest point. Passing over a point in review
-- joins two points that no reading checked against each other, so the step between them applies
-- a rollover whenever the later value is lower, whatever its size: 9,000 then 9,800 (review)
-- then 500 on a 4-dial meter is 800 + 700 = 1,500 through the point in review, and 1,500 over
-- it (meter_step_kwh would call 9,000 to 500 backwards).
--
-- Parameters
--   p_prev         the earlier register value
--   p_cur          the later register value
--   p_dial_digits  the meter's dial digits (capacity 10^dial_digits)
-- Returns DECIMAL(12,2): cur - prev when cur >= prev, else capacity - prev + cur (multiply by
--   the meter's multiplier for kWh); NULL when an argument is NULL.
-- Example: SELECT _register_advance(9000, 500, 4);  -- 1500.00
CREATE FUNCTION _register_advance(p_prev DECIMAL(12,2), p_cur DECIMAL(12,2),
                                  p_dial_digits TINYINT UNSIGNED)
    RETURNS DECIMAL(12,2)
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    -- the capacity as an exact DECIMAL (POW gives a DOUBLE)
    RETURN IF(p_cur >= p_prev, p_cur - p_prev,
              CAST(POW(10, p_dial_digits) AS DECIMAL(12,0)) - p_prev + p_cur);
END
