-- v_staff_meter_points: each installed meter's latest point and the span of its high-use
-- history, as record_reading sees them (a helper view of the staff reading entry, read through
-- v_staff_meter_context; not part of the contract; see docs/backoffice.md).
--
-- Columns
--   meter_id, serial_no, account_id, dial_digits, multiplier
--   last_read_on, last_register, last_status   the latest point (a reading neither rejected nor
--                                           void, whatever its status): a new reading must
--                                           come after it
--   history_from, history_to                the oldest and newest of the newest (up to) 4
--                                           accepted points (record_reading's history); equal
--                                           or NULL when there is no history interval
--   point_1 .. point_4                      the register values of those 4 points, newest
--                                           first (NULL where there are fewer), for
--                                           _points_advance_kwh (v_staff_meter_context)
-- Example: SELECT * FROM v_staff_meter_points WHERE serial_no = 'M-1001';
CREATE VIEW v_staff_meter_points AS
SELECT m.meter_id, m.serial_no, mi.account_id, m.dial_digits, m.multiplier,
       (SELECT r.read_on FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status NOT IN ('rejected', 'void') ORDER BY r.read_on DESC LIMIT 1) AS last_read_on,
       (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status NOT IN ('rejected', 'void') ORDER BY r.read_on DESC LIMIT 1) AS last_register,
       (SELECT r.status FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status NOT IN ('rejected', 'void') ORDER BY r.read_on DESC LIMIT 1) AS last_status,
       COALESCE((SELECT r.read_on FROM meter_reading r WHERE r.meter_id = m.meter_id
                    AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1 OFFSET 3),
                (SELECT MIN(r.read_on) FROM meter_reading r WHERE r.meter_id = m.meter_id
                    AND r.status = 'accepted')) AS history_from,
       (SELECT MAX(r.read_on) FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status = 'accepted') AS history_to,
       (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1) AS point_1,
       (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1 OFFSET 1) AS point_2,
       (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1 OFFSET 2) AS point_3,
       (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.meter_id
           AND r.status = 'accepted' ORDER BY r.read_on DESC LIMIT 1 OFFSET 3) AS point_4
  FROM meter m
  JOIN meter_installation mi ON mi.meter_id = m.meter_id
