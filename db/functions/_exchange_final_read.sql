-- _exchange_final_read: says whether a meter's point of a day is the final read of a meter
-- exchange (billing-rules.md, "Corrections": "The initial read and a meter's final read at an
-- exchange are not rejected this way"): the meter was removed that day and another meter was
-- installed on its account that day. A closing read (close_account removes the meter on the day
-- of its final reading, and installs none) is not one. The one definition for reject_reading
-- (which refuses it) and v_staff_reading_correction (which says so on the reading's page).
--
-- Parameters
--   p_meter_id  the meter
--   p_read_on   the point's day
-- Returns 1 or 0.
-- Example: SELECT _exchange_final_read(17, '2026-01-20');  -- 1
CREATE FUNCTION _exchange_final_read(p_meter_id INT UNSIGNED, p_read_on DATE)
    RETURNS TINYINT
    NOT DETERMINISTIC
    READS SQL DATA
    SQL SECURITY INVOKER
BEGIN
    RETURN EXISTS (SELECT 1 FROM meter_installation mi
                     JOIN meter_installation nx ON nx.account_id = mi.account_id
                          AND nx.installed_on = mi.removed_on AND nx.meter_id <> mi.meter_id
                    WHERE mi.meter_id = p_meter_id AND mi.removed_on = p_read_on);
END
