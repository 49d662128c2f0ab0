-- record_reading: stores an actual register reading of a meter, with its consumption since the
-- meter's latest point and the high-use check (billing rules, "Consumption").
--
-- The meter's points are its meter_reading rows neither rejected nor void (void: an estimate
-- whose bill was cancelled, cancel_bill) (the initial read at installation
-- is one, kind 'initial'); the latest point is the one with the greatest read_on, whatever its
-- status. consumption_kwh = meter_step_kwh(latest point's value, p_value) (rollover and
-- multiplier applied). High use: the history is the last (up to) 3 intervals between
-- consecutive accepted points, i.e. the newest (up to) 4 accepted points; history_days runs from
-- the oldest to the newest of them and history_kwh is the consumption stored on the
-- non-rejected points dated after the oldest up to the newest (each point stores the step from
-- the point before it, so points in review in between are counted in the interval that spans
-- them). The reading goes to 'review' when there is at least one history interval,
-- history_kwh > 0 and new_kwh * history_days > 3 * history_kwh * new_days; else 'accepted'.
-- The meter row is locked first, so readings of one meter are recorded one after the other.
--
-- Parameters
--   p_serial_no  the meter's serial number, required (leading/trailing blanks ignored)
--   p_read_on    the day the register was read, required; after the meter's latest point and
--                not after today (CURRENT_DATE)
--   p_value      the register value, required; at most two decimals, 0 <= value < 10^dial_digits
--   p_source     'field', 'customer' or 'smart' (exactly, lower case), required
--   p_actor      who acts (staff:<username>, customer:<customer_no>, batch:<job>), required,
--                at most 100 characters; stored as recorded_by
-- Result: one row (reading_id, status, consumption_kwh); status is 'accepted' or 'review'.
-- Errors, checked in this order:
--   45002 INVALID_ARGUMENT  a required argument missing or empty, actor too long
--   45001 NOT_FOUND         no meter with this serial, or the meter was never installed
--   45002 INVALID_ARGUMENT  source not field/customer/smart, value with more than two decimals
--   45011 READING_OUT_OF_RANGE  value negative or >= capacity, read_on after today or after the
--                           meter's removal (exchange, close), read_on not after the meter's
--                           latest point
--   45010 READING_BACKWARDS value below the latest point's value and not a rollover
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL record_reading('M-1001', '2026-02-28', 1350.00, 'field', 'staff:alice');
--          -- reading_id 17, status 'accepted', consumption_kwh 250.0000
CREATE PROCEDURE record_reading(IN p_serial_no LONGTEXT,
                                IN p_read_on LONGTEXT,
                                IN p_value LONGTEXT,
                                IN p_source LONGTEXT,
                                IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_serial_no VARCHAR(255) DEFAULT _arg_text(p_serial_no, 'serial_no', 255);
    DECLARE v_read_on DATE DEFAULT _arg_date(p_read_on, 'read_on');
    DECLARE v_value DECIMAL(20,6) DEFAULT _arg_decimal(p_value, 'value', 14, 6, 45011);
    DECLARE v_source VARCHAR(255) DEFAULT _arg_text(p_source, 'source', 255);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_meter_id INT UNSIGNED;
    DECLARE v_digits TINYINT UNSIGNED;
    DECLARE v_multiplier DECIMAL(10,4);
    DECLARE v_capacity DECIMAL(12,0);
    DECLARE v_last_on DATE;
    DECLARE v_last_value DECIMAL(12,2);
    DECLARE v_kwh DECIMAL(14,4);
    DECLARE v_hist_points INT UNSIGNED;
    DECLARE v_hist_from DATE;
    DECLARE v_hist_to DATE;
    DECLARE v_hist_kwh DECIMAL(20,4);
    DECLARE v_status VARCHAR(8) DEFAULT 'accepted';
    DECLARE v_reading_id INT UNSIGNED;
    DECLARE v_removed_on DATE;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- 1. required arguments (no lock needed)
    IF v_serial_no IS NULL OR TRIM(v_serial_no) = '' THEN
        CALL _fail(45002, 'serial_no is required');
    END IF;
    IF v_read_on IS NULL THEN
        CALL _fail(45002, 'read_on is required');
    END IF;
    IF v_value IS NULL THEN
        CALL _fail(45002, 'value is required');
    END IF;
    IF v_source IS NULL OR TRIM(v_source) = '' THEN
        CALL _fail(45002, 'source is required (field, customer or smart)');
    END IF;
    IF v_actor IS NULL OR TRIM(v_actor) = '' OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;

    -- 2. the meter: known and installed (its installation is never deleted)
    SELECT m.meter_id, i.removed_on INTO v_meter_id, v_removed_on
      FROM meter m JOIN meter_installation i ON i.meter_id = m.meter_id
     WHERE m.serial_no = TRIM(v_serial_no)
     LIMIT 1;
    IF v_meter_id IS NULL THEN
        CALL _fail(45001, CONCAT('no installed meter with serial_no ', LEFT(TRIM(v_serial_no), 60)));
    END IF;

    -- 3. the form of source and value
    IF CAST(v_source AS BINARY) NOT IN ('field', 'customer', 'smart') THEN
        CALL _fail(45002, CONCAT('source must be field, customer or smart, not ', LEFT(v_source, 40)));
    END IF;
    IF v_value <> ROUND(v_value, 2) THEN
        CALL _fail(45002, CONCAT('value ', v_value, ' has more than two decimals'));
    END IF;
    IF v_value < 0 THEN
        CALL _fail(45011, CONCAT('value ', ROUND(v_value, 2), ' is negative'));
    END IF;
    IF v_read_on > CURRENT_DATE THEN
        CALL _fail(45011, CONCAT('read_on ', v_read_on, ' is in the future (today is ', CURRENT_DATE, ')'));
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    -- readings of one meter are recorded, approved and rejected one at a time
    SELECT dial_digits, multiplier INTO v_digits, v_multiplier
      FROM meter WHERE meter_id = v_meter_id FOR UPDATE;
    SET v_capacity = POW(10, v_digits);
    -- removed by an exchange or a close (read under the meter lock, which both take)
    SELECT removed_on INTO v_removed_on FROM meter_installation
     WHERE meter_id = v_meter_id LOCK IN SHARE MODE;
    IF v_read_on > v_removed_on THEN
        CALL _fail(45011, CONCAT('read_on ', v_read_on, ' is after the meter was removed (', v_removed_on, ')'));
    END IF;
    IF v_value >= v_capacity THEN
        CALL _fail(45011, CONCAT('value ', ROUND(v_value, 2), ' is at or over the capacity ', v_capacity,
                                  ' of meter ', LEFT(TRIM(v_serial_no), 40)));
    END IF;

    -- the latest point, whatever its status (a locking read: the latest committed rows)
    SELECT read_on, value INTO v_last_on, v_last_value
      FROM meter_reading
     WHERE meter_id = v_meter_id AND status NOT IN ('rejected', 'void')
     ORDER BY read_on DESC LIMIT 1
       FOR UPDATE;
    IF v_last_on IS NULL THEN
        CALL _fail(45001, CONCAT('meter ', LEFT(TRIM(v_serial_no), 60), ' has no initial reading'));
    END IF;
    IF v_read_on <= v_last_on THEN
        CALL _fail(45011, CONCAT('read_on ', v_read_on, ' is not after the latest reading of meter ',
                                  LEFT(TRIM(v_serial_no), 40), ' (', v_last_on, ')'));
    END IF;

    SET v_kwh = meter_step_kwh(v_last_value, v_value, v_digits, v_multiplier);
    IF v_kwh IS NULL THEN
        CALL _fail(45010, CONCAT('value ', ROUND(v_value, 2), ' is below the latest reading ', v_last_value,
                                  ' of meter ', LEFT(TRIM(v_serial_no), 30), ', not a rollover'));
    END IF;

    -- high-use check. These reads are consistent reads: the transaction's snapshot is taken
    -- here, after the meter lock was granted, so it holds every reading committed before.
    SELECT COUNT(*), MIN(read_on), MAX(read_on) INTO v_hist_points, v_hist_from, v_hist_to
      FROM (SELECT read_on FROM meter_reading
             WHERE meter_id = v_meter_id AND status = 'accepted'
             ORDER BY read_on DESC LIMIT 4) AS accepted_points;
    IF v_hist_points >= 2 THEN
        SELECT COALESCE(SUM(consumption_kwh), 0) INTO v_hist_kwh
          FROM meter_reading
         WHERE meter_id = v_meter_id AND status NOT IN ('rejected', 'void')
           AND read_on > v_hist_from AND read_on <= v_hist_to;
        IF v_hist_kwh > 0
           AND v_kwh * DATEDIFF(v_hist_to, v_hist_from) > 3 * v_hist_kwh * DATEDIFF(v_read_on, v_last_on) THEN
            SET v_status = 'review';
        END IF;
    END IF;

    INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh, recorded_by)
    VALUES (v_meter_id, v_read_on, v_value, 'actual', v_source, v_status, v_kwh, v_actor);
    SET v_reading_id = LAST_INSERT_ID();
    COMMIT;

    SELECT v_reading_id AS reading_id, v_status AS status, v_kwh AS consumption_kwh;
END
