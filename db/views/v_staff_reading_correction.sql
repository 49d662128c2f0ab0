-- v_staff_reading_correction: what an employee can do about one reading (a helper view of the
-- staff reading page, not part of the contract; see docs/backoffice.md): approve or reject it in
-- review, or reject an accepted actual reading as a misread (billing-rules.md, "Corrections"),
-- and, when reject_reading would refuse, why.
--
-- Columns
--   reading_id
--   latest             1 when it is its meter's latest point (no point, neither rejected nor
--                      void, after it): only the latest can be rejected (v_staff_review_queue
--                      reads it and later_accepted_on from here)
--   later_accepted_on  the meter's first accepted point after it, or NULL (a reading still in
--                      review is then passed over by bills)
--   bill_id, bill_no   the bill (not cancelled) that ends on it, or NULL: cancel it first
--   exchange_final     1 when it is the final read of a meter exchange (_exchange_final_read):
--                      never rejected
--   day_free           1 when no other point of the meter is dated that day or later (a rejected
--                      reading's right value can still be entered for its day)
--   same_day_point_id  the meter's point dated that day when it is another reading (for a
--                      rejected one: the reading that replaced it), else NULL
-- reject_reading's own checks decide; this view only tells the page what to offer.
-- Example: SELECT * FROM v_staff_reading_correction WHERE reading_id = 17;
CREATE VIEW v_staff_reading_correction AS
SELECT r.reading_id,
       NOT EXISTS (SELECT 1 FROM meter_reading n
                    WHERE n.meter_id = r.meter_id AND n.point_on > r.read_on) AS latest,
       (SELECT MIN(n.read_on) FROM meter_reading n
         WHERE n.meter_id = r.meter_id AND n.read_on > r.read_on AND n.status = 'accepted')
           AS later_accepted_on,
       (SELECT MIN(b.bill_id) FROM bill b
         WHERE b.end_reading_id = r.reading_id AND b.cancelled_at IS NULL) AS bill_id,
       (SELECT MIN(b.bill_no) FROM bill b
         WHERE b.end_reading_id = r.reading_id AND b.cancelled_at IS NULL) AS bill_no,
       _exchange_final_read(r.meter_id, r.read_on) AS exchange_final,
       NOT EXISTS (SELECT 1 FROM meter_reading n
                    WHERE n.meter_id = r.meter_id AND n.point_on >= r.read_on
                      AND n.reading_id <> r.reading_id) AS day_free,
       (SELECT n.reading_id FROM meter_reading n
         WHERE n.meter_id = r.meter_id AND n.point_on = r.read_on
           AND n.reading_id <> r.reading_id) AS same_day_point_id
  FROM meter_reading r
