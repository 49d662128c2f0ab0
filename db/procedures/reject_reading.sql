-- reject_reading: an employee rejects a reading that the high-use check put in review, or a
-- misread (billing-rules.md, "Corrections"): an accepted actual reading that is the meter's latest
-- point and the end reading of no bill that is not cancelled (cancel its bill first), so that the
-- right value can be recorded. The initial read and the final read of a meter exchange (dated
-- the exchange, when the new meter was installed on the account) are never rejected this way;
-- a closing read (close_account removes the meter on the day of its final reading) is an
-- ordinary reading: rejected, the right value may be recorded on that day again (or the final
-- bill estimates it).
--
-- The reading becomes 'rejected' and stops being a point of the meter: it is never billed, it
-- leaves the high-use history, and its date is free for a new reading (point_on becomes NULL).
-- Only the meter's latest point can be rejected, so the consumption stored on every other point
-- (the step from the point before it) stays right. The row is kept, with reject_reason,
-- reviewed_by and reviewed_at. The meter row is locked first, as in record_reading. The reading
-- leaves the consumption report's figures (_report_reading).
--
-- Parameters
--   p_reading_id  the reading, required
--   p_reason      why, required (trimmed, at most 500 characters)
--   p_actor       who rejects (staff:<username>), required, at most 100 characters
-- Result: one row (reading_id, status); status is 'rejected'.
-- Errors: 45002 INVALID_ARGUMENT (no reading_id, empty or too long reason, no actor);
--         45001 NOT_FOUND (no such reading); 45003 CONFLICT (the reading is neither in review nor
--         an accepted actual reading that no bill (not cancelled) ends on, or it is an
--         exchange's final read, or it is not the meter's latest point).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL reject_reading(17, 'misread: 8 taken for 3', 'staff:alice');  -- 17, 'rejected'
CREATE PROCEDURE reject_reading(IN p_reading_id LONGTEXT,
                                IN p_reason LONGTEXT,
                                IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_reading_id BIGINT
        DEFAULT _arg_int(p_reading_id, 'reading_id', 0, 9223372036854775807, 45001);
    DECLARE v_reason VARCHAR(2000) DEFAULT TRIM(_arg_text(p_reason, 'reason', 2000));
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_meter_id INT UNSIGNED;
    DECLARE v_latest_id INT UNSIGNED;
    DECLARE v_locked INT UNSIGNED;
    DECLARE v_status VARCHAR(10);
    DECLARE v_kind VARCHAR(10);
    DECLARE v_read_on DATE;
    DECLARE v_bill_no VARCHAR(16);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF v_reading_id IS NULL THEN
        CALL _fail(45002, 'reading_id is required');
    END IF;
    IF _is_blank(v_reason) THEN
        CALL _fail(45002, 'reason is required');
    END IF;
    IF CHAR_LENGTH(v_reason) > 500 THEN
        CALL _fail(45002, 'reason is longer than 500 characters');
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
    -- the meter, then the reading (as record_reading and approve_reading)
    SELECT meter_id INTO v_locked FROM meter WHERE meter_id = v_meter_id FOR UPDATE;
    SELECT status, kind, read_on INTO v_status, v_kind, v_read_on
      FROM meter_reading WHERE reading_id = v_reading_id FOR UPDATE;
    IF NOT (v_status <=> 'review' OR (v_status <=> 'accepted' AND v_kind <=> 'actual')) THEN
        CALL _fail(45003, CONCAT('reading ', v_reading_id, ' is ', COALESCE(v_status, 'unknown'), ' ',
                                  COALESCE(v_kind, ''), ': only a reading in review or an accepted actual reading',
                                  ' can be rejected'));
    END IF;
    -- only the latest point (checked before the rest: when a later reading follows, nothing
    -- else would make the rejection possible)
    SELECT reading_id INTO v_latest_id
      FROM meter_reading
     WHERE meter_id = v_meter_id AND status NOT IN ('rejected', 'void')
     ORDER BY read_on DESC LIMIT 1
       FOR UPDATE;
    IF v_latest_id <> v_reading_id THEN
        CALL _fail(45003, CONCAT('reading ', v_reading_id, ' is not the latest reading of its meter (',
                                  v_latest_id, ' is): only the latest can be rejected'));
    END IF;
    IF v_status = 'accepted' THEN
        -- a misread: only while no bill that counts ends on it, and not an exchange's final read
        SELECT MIN(bill_no) INTO v_bill_no FROM bill
         WHERE end_reading_id = v_reading_id AND cancelled_at IS NULL;
        IF v_bill_no IS NOT NULL THEN
            CALL _fail(45003, CONCAT('reading ', v_reading_id, ' is the end reading of bill ', v_bill_no,
                                      ': cancel the bill first'));
        END IF;
        -- a closing read (removed by close_account) is an ordinary reading
        IF _exchange_final_read(v_meter_id, v_read_on) THEN
            CALL _fail(45003, CONCAT('reading ', v_reading_id, ' is the final read of a meter exchange'));
        END IF;
    END IF;
    UPDATE meter_reading
       SET status = 'rejected', reject_reason = v_reason, reviewed_by = v_actor, reviewed_at = NOW()
     WHERE reading_id = v_reading_id;
    -- the consumption report's figures (a reading in review or an accepted one; its
    -- consumption is unchanged)
    CALL _report_reading(v_reading_id, v_status,
                         (SELECT consumption_kwh FROM meter_reading WHERE reading_id = v_reading_id));
    CALL _audit('reading_rejected', 'meter_reading', v_reading_id,
                (SELECT mi.account_id FROM meter_installation mi
                  JOIN meter_reading r ON r.meter_id = mi.meter_id
                 WHERE r.reading_id = v_reading_id AND mi.installed_on <= r.read_on
                 ORDER BY mi.installed_on DESC LIMIT 1),
                JSON_OBJECT('meter_id', v_meter_id, 'reason', v_reason), v_actor);
    COMMIT;

    SELECT v_reading_id AS reading_id, 'rejected' AS status;
END
