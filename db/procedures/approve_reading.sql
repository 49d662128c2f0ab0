-- approve_reading: an employee accepts a reading that the high-use check put in review.
--
-- The reading becomes 'accepted' (a point like any other: usable as a bill's end reading and
-- part of the high-use history); reviewed_by and reviewed_at record who and when. Its value
-- and consumption stay as recorded. The meter row is locked first, as in record_reading. The
-- consumption report's figures move from "in review" to its readings (_report_reading).
--
-- Parameters
--   p_reading_id  the reading, required
--   p_actor       who approves (staff:<username>), required, at most 100 characters
-- Result: one row (reading_id, status); status is 'accepted'.
-- Errors: 45002 INVALID_ARGUMENT (no reading_id, no actor); 45001 NOT_FOUND (no such reading);
--         45003 CONFLICT (the reading is not in review).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL approve_reading(17, 'staff:alice');  -- 17, 'accepted'
CREATE PROCEDURE approve_reading(IN p_reading_id LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_reading_id BIGINT
        DEFAULT _arg_int(p_reading_id, 'reading_id', 0, 9223372036854775807, 45001);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_meter_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF v_reading_id IS NULL THEN
        CALL _fail(45002, 'reading_id is required');
    END IF;
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    SET v_meter_id = (SELECT meter_id FROM meter_reading WHERE reading_id = v_reading_id);
    IF v_meter_id IS NULL THEN
        CALL _fail(45001, CONCAT('no reading with id ', v_reading_id));
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    CALL _lock_reading_in_review(v_reading_id, v_meter_id);   -- the meter, then the reading
    UPDATE meter_reading
       SET status = 'accepted', reviewed_by = v_actor, reviewed_at = NOW()
     WHERE reading_id = v_reading_id;
    -- the consumption report's figures (its consumption is what it was in review)
    CALL _report_reading(v_reading_id, 'review',
                         (SELECT consumption_kwh FROM meter_reading WHERE reading_id = v_reading_id));
    CALL _audit('reading_approved', 'meter_reading', v_reading_id,
                (SELECT mi.account_id FROM meter_installation mi
                  JOIN meter_reading r ON r.meter_id = mi.meter_id
                 WHERE r.reading_id = v_reading_id AND mi.installed_on <= r.read_on
                 ORDER BY mi.installed_on DESC LIMIT 1),
                JSON_OBJECT('meter_id', v_meter_id), v_actor);
    COMMIT;

    SELECT v_reading_id AS reading_id, 'accepted' AS status;
END
