-- _report_reading: appends to report_consumption_part (migration 0122) what a change of one
-- reading changed in the consumption report, inside the caller's transaction, which holds the
-- reading's meter (record_reading, approve_reading, reject_reading, exchange_meter, cancel_bill).
--
--   Counted are actual readings that are accepted or in review: readings (accepted), their
--   consumption_kwh (accepted), in_review (review), and meters: +1 when the reading is the
--   meter's first counted one of its month, -1 when it was the last. Keyed by the first day of
--   the month of read_on and the tariff of the account the meter was installed on at the reading
--   (its latest installation on or before read_on). Nothing is written when nothing changed
--   (an estimate, an initial reading, a void one).
--   Locks: the meter's other counted readings of the month are read with LOCK IN SHARE MODE (the
--   latest committed rows: the caller's snapshot may be older than its meter lock); every other
--   read is a plain SELECT ... INTO, and the delta an INSERT ... VALUES: an INSERT ... SELECT or
--   a SET with a subquery would share-lock the account row, which a billing chunk, a posting or
--   an exchange may hold.
--
-- Parameters
--   p_reading_id   the reading, as it is now (inserted or changed)
--   p_old_status   its status before the change; NULL for a reading just inserted
--   p_old_kwh      its consumption_kwh before the change (NULL for a new one)
-- Result: none. Errors: none of its own.
-- Example: CALL _report_reading(42, 'review', 120.0000);   -- after approving reading 42
CREATE PROCEDURE _report_reading(IN p_reading_id INT UNSIGNED, IN p_old_status VARCHAR(8),
                                 IN p_old_kwh DECIMAL(14,4))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_meter_id INT UNSIGNED;
    DECLARE v_read_on DATE;
    DECLARE v_kind VARCHAR(10);
    DECLARE v_status VARCHAR(8);
    DECLARE v_kwh DECIMAL(14,4);
    DECLARE v_month DATE;
    DECLARE v_old_counted TINYINT;
    DECLARE v_new_counted TINYINT;
    DECLARE v_others INT;
    DECLARE v_dates JSON;
    DECLARE v_meters INT DEFAULT 0;
    DECLARE v_readings INT;
    DECLARE v_kwh_delta DECIMAL(18,4);
    DECLARE v_review INT;
    DECLARE v_tariff_id INT UNSIGNED;

    SELECT meter_id, read_on, kind, status, consumption_kwh
      INTO v_meter_id, v_read_on, v_kind, v_status, v_kwh
      FROM meter_reading WHERE reading_id = p_reading_id;
    IF v_kind = 'actual' THEN
        SET v_month = v_read_on - INTERVAL (DAYOFMONTH(v_read_on) - 1) DAY;
        SET v_old_counted = COALESCE(p_old_status IN ('accepted', 'review'), 0),
            v_new_counted = v_status IN ('accepted', 'review'),
            v_readings = (v_status = 'accepted') - COALESCE(p_old_status = 'accepted', 0),
            v_kwh_delta = IF(v_status = 'accepted', v_kwh, 0)
                          - IF(COALESCE(p_old_status = 'accepted', 0), p_old_kwh, 0),
            v_review = (v_status = 'review') - COALESCE(p_old_status = 'review', 0);
        -- the tariff: SELECT ... INTO is a consistent read (a SET with a subquery share-locks the
        -- account row, which exchange_meter holds while it waits for the meter we hold: a
        -- deadlock); MAX over the one row: no row is NULL, not a NOT FOUND condition, which a
        -- caller's cursor handler would take for its own
        SELECT MAX(x.tariff_id) INTO v_tariff_id
          FROM (SELECT a.tariff_id
                  FROM meter_installation mi
                  JOIN account a ON a.account_id = mi.account_id
                 WHERE mi.meter_id = v_meter_id AND mi.installed_on <= v_read_on
                 ORDER BY mi.installed_on DESC LIMIT 1) x;
        IF v_old_counted <> v_new_counted THEN
            -- the meter's other counted readings of the month: a locking read, so that it sees
            -- the latest committed rows (this transaction's snapshot may be older than the meter
            -- lock: exchange_meter reads before it waits for the meter, and a reading committed
            -- meanwhile would be missed and the meter counted twice). It locks only the meter's
            -- readings (those writers hold the meter); the tariffs of their dates are then read
            -- plainly (an account's tariff never changes).
            SELECT JSON_ARRAYAGG(r.read_on) INTO v_dates
              FROM meter_reading r
             WHERE r.meter_id = v_meter_id AND r.read_on BETWEEN v_month AND LAST_DAY(v_read_on)
               AND r.kind = 'actual' AND r.status IN ('accepted', 'review')
               AND r.reading_id <> p_reading_id
              LOCK IN SHARE MODE;
            -- those under the same tariff (a meter moved between accounts within a month counts
            -- under each tariff, as before)
            SELECT COUNT(*) INTO v_others
              FROM JSON_TABLE(COALESCE(v_dates, '[]'), '$[*]' COLUMNS (read_on DATE PATH '$')) d
             WHERE (SELECT a.tariff_id FROM meter_installation mi
                      JOIN account a ON a.account_id = mi.account_id
                     WHERE mi.meter_id = v_meter_id AND mi.installed_on <= d.read_on
                     ORDER BY mi.installed_on DESC LIMIT 1) <=> v_tariff_id;
            IF v_others = 0 THEN
                SET v_meters = v_new_counted - v_old_counted;
            END IF;
        END IF;
        IF v_tariff_id IS NOT NULL
           AND (v_meters <> 0 OR v_readings <> 0 OR v_kwh_delta <> 0 OR v_review <> 0) THEN
            INSERT INTO report_consumption_part (month_start, tariff_id, meters, readings,
                                                 consumption_kwh, in_review)
            VALUES (v_month, v_tariff_id, v_meters, v_readings, v_kwh_delta, v_review);
        END IF;
    END IF;
END
