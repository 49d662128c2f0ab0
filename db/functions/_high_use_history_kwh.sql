-- _high_use_history_kwh: the kWh of a meter's high-use history (billing-rules.md,
-- "Consumption"): the last (up to) 3 intervals between consecutive accepted points, i.e. the
-- steps between its newest (up to) 4 accepted points, each from the accepted point before it.
-- Points in review between them are passed over (_register_advance), and void estimates and
-- rejected readings are no points. Shared by record_reading's check (_insert_reading) and the
-- clerk's warning beside the reading form (v_staff_meter_context), so that both say the same.
--
-- Parameters
--   p_meter_id  the meter
-- Returns DECIMAL(20,4): the history's kWh (register advance x multiplier); 0 when the meter
--   has fewer than 2 accepted points (no interval).
-- Reads: meter, meter_reading (ix_reading_meter_date: the newest 4 accepted points); in a
--   transaction, what its snapshot holds.
-- Example: SELECT _high_use_history_kwh(17);  -- 912.0000
CREATE FUNCTION _high_use_history_kwh(p_meter_id INT UNSIGNED)
    RETURNS DECIMAL(20,4)
    NOT DETERMINISTIC
    READS SQL DATA
    SQL SECURITY INVOKER
BEGIN
    DECLARE v_digits TINYINT UNSIGNED;
    DECLARE v_multiplier DECIMAL(8,2);
    SELECT dial_digits, multiplier INTO v_digits, v_multiplier FROM meter WHERE meter_id = p_meter_id;
    -- the first of the 4 points has no point before it: its step is NULL, left out of the sum
    RETURN COALESCE((SELECT SUM(_register_advance(p.prev_value, p.value, v_digits))
                       FROM (SELECT a.value, LAG(a.value) OVER (ORDER BY a.read_on) AS prev_value
                               FROM (SELECT read_on, value FROM meter_reading
                                      WHERE meter_id = p_meter_id AND status = 'accepted'
                                      ORDER BY read_on DESC LIMIT 4) a) p), 0) * v_multiplier;
END
