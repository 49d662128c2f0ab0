-- _approve_reading: the body of approve_reading, with typed arguments (internal; callers CALL approve_reading,
-- which checks and converts the arguments first). What it does:
-- an employee accepts a reading that the high-use check put in review.
--
-- The reading becomes 'accepted' (a point like any other: usable as a bill's end reading and
-- part of the high-use history); reviewed_by and reviewed_at record who and when. Its value
-- and consumption stay as recorded. The meter row is locked first, as in record_reading.
--
-- Parameters
--   p_reading_id  the reading, required
--   p_actor       who approves (staff:<username>), required, at most 100 characters
-- Result: one row (reading_id, status); status is 'accepted'.
-- Errors: 45002 INVALID_ARGUMENT (no reading_id, no actor); 45001 NOT_FOUND (no such reading);
--         45003 CONFLICT (the reading is not in review).
-- Example: CALL approve_reading(17, 'staff:alice');  -- 17, 'accepted'
CREATE PROCEDURE _approve_reading(IN p_reading_id BIGINT, IN p_actor VARCHAR(255))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_meter_id INT UNSIGNED;
    DECLARE v_status VARCHAR(8);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF p_reading_id IS NULL THEN
        CALL _fail(45002, 'reading_id is required');
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
    UPDATE meter_reading
       SET status = 'accepted', reviewed_by = p_actor, reviewed_at = NOW()
     WHERE reading_id = p_reading_id;
    COMMIT;

    SELECT p_reading_id AS reading_id, 'accepted' AS status;
END
