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
--   later_accepted_on, latest      as v_staff_reading_correction gives them: the meter's first
--                                  accepted point after it (a bill whose period reaches that
--                                  point passes this reading over), and whether it is the
--                                  meter's latest point (only then can it be rejected)
-- One row per reading in review.
-- Speed (1M accounts, 2,000 readings in review): on ix_reading_status (status, read_on,
-- reading_id, meter_id), ORDER BY read_on, reading_id gives a page's ids from the index alone
-- (SELECT reading_id ... LIMIT 25 OFFSET n: the left joins are eliminated on MariaDB) and the
-- count is one index range; the rows of a page (WHERE reading_id IN (...)) read their joins,
-- usual use and later points by key (ix_reading_meter_date, uk_reading_point; the correction
-- view merged, its other columns not read; the usual use from the 4 points v_staff_meter_points
-- reads, no reading function per row), about 6 ms for 25 at 1M. The account number is a
-- subquery rather than a join so that neither needs it.
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
       x.later_accepted_on,
       x.latest
  FROM meter_reading r
  LEFT JOIN meter m ON m.meter_id = r.meter_id           -- always there (fk_reading_meter)
  LEFT JOIN v_staff_meter_context c ON c.meter_id = r.meter_id
  LEFT JOIN v_staff_reading_correction x ON x.reading_id = r.reading_id   -- always there
 WHERE r.status = 'review'
