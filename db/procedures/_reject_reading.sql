-- _reject_reading: the body of reject_reading, with typed arguments (internal; callers CALL reject_reading,
-- which checks and converts the arguments first). What it does:
-- an employee rejects a reading that the high-use check put in review.
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
-- Example: CALL reject_reading(17, 'misread: 8 taken for 3', 'staff:alice');  -- 17, 'rejected'
CREATE PROCEDURE _reject_reading(IN p_reading_id BIGINT, IN p_reason VARCHAR(2000),
                                 IN p_actor VARCHAR(255))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_reason VARCHAR(2000) DEFAULT TRIM(p_reason);
    DECLARE v_meter_id INT UNSIGNED;
    DECLARE v_status VARCHAR(8);
    DECLARE v_latest_id INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF p_reading_id IS NULL THEN
        CALL _fail(45002, 'reading_id is required');
    END IF;
    IF v_reason IS NULL OR v_reason = '' THEN
        CALL _fail(45002, 'reason is required');
    END IF;
    IF CHAR_LENGTH(v_reason) > 500 THEN
        CALL _fail(45002, 'reason is longer than 500 characters');
    END IF;
    IF p_actor IS NULL OR TRIM(p_actor) = '' OR CHAR_LENGTH(p_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    SET v_meter_id = (SELECT meter_id FROM meter_reading WHERE reading_id = p_reading_id);
    IF v_meter_id IS NULL THEN
        CALL _fail(45001, CONCAT('no reading with id ', p_reading_id));
    END IF;

    SET @billing_actor = p_actor;
    START TRANSACTION;
    -- lock order: the meter, then its readings
    SELECT meter_id INTO v_meter_id FROM meter WHERE meter_id = v_meter_id FOR UPDATE;
    SELECT status INTO v_status FROM meter_reading WHERE reading_id = p_reading_id FOR UPDATE;
    IF v_status <> 'review' THEN
        CALL _fail(45003, CONCAT('reading ', p_reading_id, ' is ', v_status, ', not in review'));
    END IF;
    SELECT reading_id INTO v_latest_id
      FROM meter_reading
     WHERE meter_id = v_meter_id AND status <> 'rejected'
     ORDER BY read_on DESC LIMIT 1
       FOR UPDATE;
    IF v_latest_id <> p_reading_id THEN
        CALL _fail(45003, CONCAT('reading ', p_reading_id, ' is not the latest reading of its meter (',
                                  v_latest_id, ' is): only the latest can be rejected'));
    END IF;
    UPDATE meter_reading
       SET status = 'rejected', reject_reason = v_reason, reviewed_by = p_actor, reviewed_at = NOW()
     WHERE reading_id = p_reading_id;
    COMMIT;

    SELECT p_reading_id AS reading_id, 'rejected' AS status;
END
