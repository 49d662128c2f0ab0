-- ix_reading_point_kwh gains the point's status, so that billing still sums a window's steps
-- from the index alone and also sees, from the same entries, whether a point in review lies in
-- the window (billing-rules.md: earlier points in review are "passed over when the latest one is
-- accepted": C then runs from accepted point to accepted point; _compute_bills re-sums such an
-- account's window, a rare case, from the readings themselves).
-- One ALTER: the index is dropped and re-built under its own name (FORCE INDEX hints name it).
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.
-- Example: EXPLAIN SELECT SUM(consumption_kwh), SUM(status = 'review') FROM meter_reading
--           WHERE meter_id = 1 AND point_on > '2026-01-31' AND point_on <= '2026-02-28';
--          -- "Using where; Using index"
ALTER TABLE meter_reading
  DROP INDEX ix_reading_point_kwh,
  ADD KEY ix_reading_point_kwh (meter_id, point_on, consumption_kwh, status)
    COMMENT 'billing sums the steps of a window, and sees points in review, from the index alone';
