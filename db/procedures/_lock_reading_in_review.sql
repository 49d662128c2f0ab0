-- _lock_reading_in_review: locks a reading that is to be approved or rejected, and checks it is
-- still in review (internal helper of approve_reading and reject_reading, called inside their
-- transaction).
--
-- Lock order: the meter row, then the reading (record_reading takes the meter lock too, so a
-- reading being recorded and one being reviewed on the same meter wait for each other).
-- Parameters
--   p_reading_id  the reading (the caller has checked it exists)
--   p_meter_id    its meter
-- Result: none.
-- Errors: 45003 CONFLICT when the reading is no longer in review (accepted or rejected).
-- Example: CALL _lock_reading_in_review(42, 7);
CREATE PROCEDURE _lock_reading_in_review(IN p_reading_id BIGINT, IN p_meter_id INT UNSIGNED)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_locked INT UNSIGNED;
    DECLARE v_status VARCHAR(8);
    SELECT meter_id INTO v_locked FROM meter WHERE meter_id = p_meter_id FOR UPDATE;
    SELECT status INTO v_status FROM meter_reading WHERE reading_id = p_reading_id FOR UPDATE;
    IF v_status <> 'review' THEN
        CALL _fail(45003, CONCAT('reading ', p_reading_id, ' is ', v_status, ', not in review'));
    END IF;
END
