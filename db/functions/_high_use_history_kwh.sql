-- _high_use_history_kwh: the kWh of a meter's high-use history (billing-rules.md,
-- "Consumption"): the last (up to) 3 intervals between consecutive accepted points, i.e. the
-- steps between its newest (up to) 4 accepted points, each from the accepted point before it.
-- Points in review between them are passed over (_register_advance), and void estimates and
-- rejected readings are no points. record_reading's check (_insert_reading); the clerk's warning
-- beside the reading form (v_staff_meter_context) reads the same 4 points and passes them to the
-- same _points_advance_kwh, so that both say the same (a test compares them).
--
-- Parameters
--   p_meter_id  the meter
-- Returns DECIMAL(20,4): the history's kWh (register advance x multiplier); 0 when the meter
--   has fewer than 2 accepted points (no interval).
-- Reads: meter, meter_reading (ix_reading_meter_date: the newest 4 accepted points, a key dive
--   each); in a transaction, what its snapshot holds. The steps are _points_advance_kwh's, which
--   v_staff_meter_context calls with the same 4 points read by v_staff_meter_points.
-- Example: SELECT _high_use_history_kwh(17);  -- 912.0000
CREATE FUNCTION _high_use_history_kwh(p_meter_id INT UNSIGNED)
    RETURNS DECIMAL(20,4)
    NOT DETERMINISTIC
    READS SQL DATA
    SQL SECURITY INVOKER
BEGIN
    DECLARE v_digits TINYINT UNSIGNED;
    DECLARE v_multiplier DECIMAL(8,2);
    DECLARE v_point_1, v_point_2, v_point_3, v_point_4 DECIMAL(12,2);
    SELECT m.dial_digits, m.multiplier,
           (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
               AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1),
           (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
               AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1 OFFSET 1),
           (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
               AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1 OFFSET 2),
           (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
               AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1 OFFSET 3)
      INTO v_digits, v_multiplier, v_point_1, v_point_2, v_point_3, v_point_4
      FROM meter m
     WHERE m.meter_id = p_meter_id;
    RETURN _points_advance_kwh(v_point_1, v_point_2, v_point_3, v_point_4, v_digits,
                               v_multiplier);
END
