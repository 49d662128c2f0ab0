-- v_staff_review_queue: the readings waiting in review, each with what the reviewer weighs it
-- against: the account the meter is on and the meter's usual use (a helper view of the staff
-- back office's review queue, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   reading_id, meter_id, serial_no, read_on, value, consumption_kwh, source, recorded_by,
--   recorded_at                    the reading (status 'review')
--   account_id, account_no         the account the meter is (or was) installed on; NULL for a
--                                  meter never installed
--   history_days, history_kwh, daily_kwh
--                                  the meter's usual use, as v_staff_meter_context gives it (the
--                                  high-use history of record_reading: NULL without an interval)
--   later_accepted_on              the date of the meter's first accepted point after it, or
--                                  NULL: once there is one, a bill passes this reading over
--                                  (billing-rules.md: C runs from accepted point to accepted
--                                  point) whether or not it is approved later
--   latest                         1 when it is the meter's latest point (no point, neither
--                                  rejected nor void, after it): only then can it be rejected
-- One row per reading in review.
-- Speed (1M accounts, 2,000 readings in review): on ix_reading_status (status, read_on,
-- reading_id, meter_id), ORDER BY read_on, reading_id gives a page's ids from the index alone
-- (SELECT reading_id ... LIMIT 25 OFFSET n: the left joins are eliminated on MariaDB) and the
-- count is one index range; the rows of a page (WHERE reading_id IN (...)) read their joins,
-- usual use and later points by key (ix_reading_meter_date, uk_reading_point), about 3 ms for
-- 25. The account number is a subquery rather than a join
-- so that neither needs it.
-- Example: SELECT * FROM v_staff_review_queue ORDER BY read_on, reading_id LIMIT 25;
CREATE VIEW v_staff_review_queue AS
SELECT r.reading_id,
       r.meter_id,
       m.serial_no,
       r.read_on,
       r.value,
       r.consumption_kwh,
       r.source,
       r.recorded_by,
       r.recorded_at,
       c.account_id,
       (SELECT a.account_no FROM account a WHERE a.account_id = c.account_id) AS account_no,
       c.history_days,
       c.history_kwh,
       c.daily_kwh,
       (SELECT MIN(n.read_on) FROM meter_reading n
         WHERE n.meter_id = r.meter_id AND n.read_on > r.read_on AND n.status = 'accepted')
           AS later_accepted_on,
       NOT EXISTS (SELECT 1 FROM meter_reading n
                    WHERE n.meter_id = r.meter_id AND n.point_on > r.read_on) AS latest
  FROM meter_reading r
  LEFT JOIN meter m ON m.meter_id = r.meter_id           -- always there (fk_reading_meter)
  LEFT JOIN v_staff_meter_context c ON c.meter_id = r.meter_id
 WHERE r.status = 'review'
