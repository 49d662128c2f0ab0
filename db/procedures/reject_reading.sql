-- reject_reading: an employee rejects a reading that the high-use check put in review.
--
-- The reading becomes 'rejected' and stops being a point of the meter: it is never billed, it
-- leaves the high-use history, and its date is free for a new reading (point_on becomes NULL).
-- Only the meter's latest point can be rejected, so the consumption stored on every other point
-- (the step from the point before it) stays right. The row is kept, with reject_reason,
-- reviewed_by and reviewed_at. The meter row is locked first, as in record_reading.
--
-- Parameters
--   p_reading_id  the reading, required
--   p_reason      why, required (trimmed, at most 500 characters)
--   p_actor       who rejects (staff:<username>), required, at most 100 characters
-- Result: one row (reading_id, status); status is 'rejected'.
-- Errors: 45002 INVALID_ARGUMENT (no reading_id, empty or too long reason, no actor);
--         45001 NOT_FOUND (no such reading); 45003 CONFLICT (the reading is not in review, or
--         it is not the meter's latest point).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _reject_reading: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL reject_reading(17, 'misread: 8 taken for 3', 'staff:alice');  -- 17, 'rejected'
CREATE PROCEDURE reject_reading(IN p_reading_id LONGTEXT,
                                IN p_reason LONGTEXT,
                                IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _reject_reading(_arg_int(p_reading_id, 'reading_id', 0, 9223372036854775807, 45001),
                         _arg_text(p_reason, 'reason', 2000),
                         _arg_text(p_actor, 'actor', 255));
END
