-- _insert_reading: the body of record_reading (billing-rules.md, "Consumption"), inside the
-- caller's transaction: every check of record_reading in its order, the meter locked, the
-- reading stored with its consumption and status, and counted in the consumption report's
-- figures (_report_reading). Shared by record_reading (which commits) and
-- preview_readings (which rolls every row back): so a preview of a file of readings answers
-- exactly what recording it would, row after row, the earlier rows of a meter included.
--
-- Parameters: the typed arguments of record_reading (converted by its _arg_* functions), and
--   OUT p_reading_id, p_status ('accepted' or 'review'), p_kwh (the consumption stored).
-- Result: none (no result set). Errors: those of record_reading, signalled (the caller's
--   handler rolls back); nothing is committed here.
CREATE PROCEDURE _insert_reading(IN p_serial_no VARCHAR(255), IN p_read_on DATE,
                                 IN p_value DECIMAL(20,6), IN p_source VARCHAR(255),
                                 IN p_actor VARCHAR(255), OUT p_reading_id INT UNSIGNED,
                                 OUT p_status VARCHAR(8), OUT p_kwh DECIMAL(14,4))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
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
    DECLARE v_removed_on DATE;
    DECLARE v_installed INT UNSIGNED;

    -- 1. required arguments (no lock needed)
    IF _is_blank(p_serial_no) THEN
        CALL _fail(45002, 'serial_no is required');
    END IF;
    IF p_read_on IS NULL THEN
        CALL _fail(45002, 'read_on is required');
    END IF;
    IF p_value IS NULL THEN
        CALL _fail(45002, 'value is required');
    END IF;
    IF _is_blank(p_source) THEN
        CALL _fail(45002, 'source is required (field, customer or smart)');
    END IF;
    IF _is_blank(p_actor) OR CHAR_LENGTH(p_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;

    -- 2. the meter: known and installed (its installation is never deleted), and locked:
    -- readings of one meter are recorded, approved and rejected one at a time. Every read
    -- before the high-use check is a locking read, so that the transaction's snapshot is taken
    -- at that check's first read, after the lock was granted (a plain read here took it before:
    -- a reading committed or approved by the session this one waited for was left out of the
    -- history, and the status was not the one of the two calls one after the other). The
    -- callers run READ COMMITTED where they can, where this read locks no gap of the index.
    SELECT meter_id, dial_digits, multiplier INTO v_meter_id, v_digits, v_multiplier
      FROM meter WHERE serial_no = TRIM(p_serial_no) FOR UPDATE;
    -- removed by an exchange or a close (read under the meter lock, which both take)
    SELECT meter_id, removed_on INTO v_installed, v_removed_on
      FROM meter_installation WHERE meter_id = v_meter_id LOCK IN SHARE MODE;
    IF v_installed IS NULL THEN
        CALL _fail(45001, CONCAT('no installed meter with serial_no ', LEFT(TRIM(p_serial_no), 60)));
    END IF;

    -- 3. the form of source and value
    IF CAST(p_source AS BINARY) NOT IN ('field', 'customer', 'smart') THEN
        CALL _fail(45002, CONCAT('source must be field, customer or smart, not ', LEFT(p_source, 40)));
    END IF;
    IF p_value <> ROUND(p_value, 2) THEN
        CALL _fail(45002, CONCAT('value ', _decimal_text(p_value, 0), ' has more than two decimals'));
    END IF;
    IF p_value < 0 THEN
        CALL _fail(45011, CONCAT('value ', ROUND(p_value, 2), ' is negative'));
    END IF;
    IF p_read_on > CURRENT_DATE THEN
        CALL _fail(45011, CONCAT('read_on ', p_read_on, ' is in the future (today is ', CURRENT_DATE, ')'));
    END IF;

    SET @billing_actor = p_actor;
    SET v_capacity = POW(10, v_digits);
    IF p_read_on > v_removed_on THEN
        CALL _fail(45011, CONCAT('read_on ', p_read_on, ' is after the meter was removed (', v_removed_on, ')'));
    END IF;
    IF p_value >= v_capacity THEN
        CALL _fail(45011, CONCAT('value ', ROUND(p_value, 2), ' is at or over the capacity ', v_capacity,
                                  ' of meter ', LEFT(TRIM(p_serial_no), 40)));
    END IF;

    -- the latest point, whatever its status (a locking read: the latest committed rows)
    SELECT read_on, value INTO v_last_on, v_last_value
      FROM meter_reading
     WHERE meter_id = v_meter_id AND status NOT IN ('rejected', 'void')
     ORDER BY read_on DESC LIMIT 1
       FOR UPDATE;
    IF v_last_on IS NULL THEN
        CALL _fail(45001, CONCAT('meter ', LEFT(TRIM(p_serial_no), 60), ' has no initial reading'));
    END IF;
    IF p_read_on <= v_last_on THEN
        CALL _fail(45011, CONCAT('read_on ', p_read_on, ' is not after the latest reading of meter ',
                                  LEFT(TRIM(p_serial_no), 40), ' (', v_last_on, ')'));
    END IF;

    SET v_kwh = meter_step_kwh(v_last_value, p_value, v_digits, v_multiplier);
    IF v_kwh IS NULL THEN
        CALL _fail(45010, CONCAT('value ', ROUND(p_value, 2), ' is below the latest reading ', v_last_value,
                                  ' of meter ', LEFT(TRIM(p_serial_no), 30), ', not a rollover'));
    END IF;

    -- high-use check. These reads are consistent reads: the transaction's snapshot is taken
    -- here, after the meter lock was granted (step 2), so it holds every reading committed
    -- before.
    SELECT COUNT(*), MIN(read_on), MAX(read_on) INTO v_hist_points, v_hist_from, v_hist_to
      FROM (SELECT read_on FROM meter_reading
             WHERE meter_id = v_meter_id AND status = 'accepted'
             ORDER BY read_on DESC LIMIT 4) AS accepted_points;
    IF v_hist_points >= 2 THEN
        -- from accepted point to accepted point, points in review passed over
        SET v_hist_kwh = _high_use_history_kwh(v_meter_id);
        IF v_hist_kwh > 0
           AND v_kwh * DATEDIFF(v_hist_to, v_hist_from) > 3 * v_hist_kwh * DATEDIFF(p_read_on, v_last_on) THEN
            SET v_status = 'review';
        END IF;
    END IF;

    INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh, recorded_by)
    VALUES (v_meter_id, p_read_on, p_value, 'actual', p_source, v_status, v_kwh, p_actor);
    SET p_reading_id = LAST_INSERT_ID(), p_status = v_status, p_kwh = v_kwh;
    CALL _report_reading(p_reading_id, NULL, NULL);     -- the consumption report's figures
END
