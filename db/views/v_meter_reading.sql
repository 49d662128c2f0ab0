-- v_meter_reading: every reading point of every meter, with the meter's serial and the account
-- it is installed on (a helper view of the staff web app, not part of the contract; see
-- docs/webapp.md).
--
-- Columns
--   reading_id, meter_id, serial_no
--   account_id        the account the meter is (or was) installed on; a meter is installed once
--                     (uk_installation_meter), so this is the account of all its readings;
--                     NULL for a meter never installed
--   read_on, value, kind ('initial','actual','estimated'), source, status
--   ('accepted','review','rejected'), consumption_kwh (the step from the previous point),
--   recorded_by, recorded_at, reviewed_by, reviewed_at, reject_reason
-- One row per meter_reading row, rejected ones included.
-- Example: SELECT * FROM v_meter_reading WHERE account_id = 7 ORDER BY read_on DESC LIMIT 20;
CREATE VIEW v_meter_reading AS
SELECT r.reading_id,
       r.meter_id,
       m.serial_no,
       mi.account_id,
       r.read_on,
       r.value,
       r.kind,
       r.source,
       r.status,
       r.consumption_kwh,
       r.recorded_by,
       r.recorded_at,
       r.reviewed_by,
       r.reviewed_at,
       r.reject_reason
  FROM meter_reading r
  JOIN meter m ON m.meter_id = r.meter_id
  LEFT JOIN meter_installation mi ON mi.meter_id = r.meter_id
