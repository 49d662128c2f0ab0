-- v_staff_meter_context: what a clerk needs beside the reading entry form: the meter's latest
-- point, its typical daily use, and the numbers of record_reading's checks, so that the form
-- can warn before a value goes to review or is refused (a helper view of the staff back office,
-- not part of the contract; see docs/backoffice.md).
--
-- Columns
--   meter_id, serial_no, account_id, dial_digits, multiplier, capacity (10^dial_digits)
--   last_read_on, last_register, last_status   the latest point
--   history_days, history_kwh   record_reading's high-use history (NULL without an interval;
--                               history_kwh as record_reading's _high_use_history_kwh, by
--                               _points_advance_kwh from v_staff_meter_points' 4 points):
--                               a new reading of new_kwh over new_days goes to review when
--                               history_kwh > 0 and new_kwh * history_days >
--                               3 * history_kwh * new_days
--   daily_kwh                   typical daily use: history_kwh / history_days, 2 decimals
-- Example: SELECT last_read_on, last_register, daily_kwh FROM v_staff_meter_context
--           WHERE serial_no = 'M-1001';
CREATE VIEW v_staff_meter_context AS
SELECT p.meter_id, p.serial_no, p.account_id, p.dial_digits, p.multiplier,
       CAST(POWER(10, p.dial_digits) AS UNSIGNED) AS capacity,
       p.last_read_on, p.last_register, p.last_status,
       IF(p.history_to > p.history_from, DATEDIFF(p.history_to, p.history_from), NULL)
           AS history_days,
       IF(p.history_to > p.history_from,
          _points_advance_kwh(p.point_1, p.point_2, p.point_3, p.point_4, p.dial_digits,
                              p.multiplier), NULL) AS history_kwh,
       IF(p.history_to > p.history_from,
          ROUND(_points_advance_kwh(p.point_1, p.point_2, p.point_3, p.point_4, p.dial_digits,
                                    p.multiplier) / DATEDIFF(p.history_to, p.history_from), 2),
          NULL) AS daily_kwh
  FROM v_staff_meter_points p
