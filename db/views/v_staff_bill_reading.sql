-- v_staff_bill_reading: the meter readings a bill was computed from (a helper view of the staff
-- bill page, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   bill_id, role ('start': the previous value; 'between': a point inside the window, e.g. a
--   meter exchange; 'end': the end reading), reading_id, serial_no, read_on, value, kind
--   (initial, actual, estimated), status (accepted, void: an estimate whose bill was cancelled)
-- The start is the reading of one of the account's meters dated prev_read_on with the value
-- prev_read_value (the bill keeps the date and value, not the id); between are the accepted
-- points of the account's meters strictly inside the window.
-- Text columns are of one collation in every branch (a UNION of mixed ones is 1271).
-- Example: SELECT * FROM v_staff_bill_reading WHERE bill_id = 42 ORDER BY read_on, reading_id;
CREATE VIEW v_staff_bill_reading AS
SELECT b.bill_id, CONVERT('end' USING utf8mb4) COLLATE utf8mb4_unicode_ci AS role, r.reading_id, m.serial_no, r.read_on, r.value, r.kind, r.status
  FROM bill b
  JOIN meter_reading r ON r.reading_id = b.end_reading_id
  JOIN meter m ON m.meter_id = r.meter_id
UNION ALL
SELECT b.bill_id, CONVERT('start' USING utf8mb4) COLLATE utf8mb4_unicode_ci, r.reading_id, m.serial_no, r.read_on, r.value, r.kind, r.status
  FROM bill b
  JOIN meter_installation mi ON mi.account_id = b.account_id
  JOIN meter_reading r ON r.meter_id = mi.meter_id AND r.read_on = b.prev_read_on
                      AND r.value = b.prev_read_value AND r.status <> 'rejected'
  JOIN meter m ON m.meter_id = r.meter_id
UNION ALL
SELECT b.bill_id, CONVERT('between' USING utf8mb4) COLLATE utf8mb4_unicode_ci, r.reading_id, m.serial_no, r.read_on, r.value, r.kind, r.status
  FROM bill b
  JOIN meter_reading e ON e.reading_id = b.end_reading_id
  JOIN meter_installation mi ON mi.account_id = b.account_id
  JOIN meter_reading r ON r.meter_id = mi.meter_id AND r.read_on > b.prev_read_on
                      AND r.read_on < e.read_on AND r.status = 'accepted'
  JOIN meter m ON m.meter_id = r.meter_id
