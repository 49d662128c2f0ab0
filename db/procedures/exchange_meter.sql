-- exchange_meter: replaces an account's active meter (billing-rules.md, "Meter exchange").
--
-- In one transaction: the old meter's final read dated exchanged_on (kind 'actual', source
-- 'field', status 'accepted', no high-use check: an employee has the meter in hand; its
-- consumption is the step from the old meter's latest point, rollover and multiplier applied),
-- the old installation removed on exchanged_on, and the new meter installed the same day with
-- its initial read (kind 'initial', consumption 0). Billing then spans both meters (_bill_chunk).
-- The final read counts in the consumption report (_report_reading).
-- Where the rules are silent: exchanged_on must lie after the last day already billed on the
-- account (a billed period keeps the meter it was billed on: cancel that bill first), checked
-- after the final read's own rules (so a day not after the latest point is 45011 either way).
--
-- Parameters
--   p_account_id        the account (it must have an active meter)
--   p_exchanged_on      required: not after today, after the last day billed, after the old
--                       meter's latest point
--   p_old_final_read    required: the old meter's register value that day, 0 <= value <
--                       capacity, at most two decimals, not backwards (a rollover is allowed)
--   p_new_serial_no     the new meter's serial, as install_meter (trimmed, 1..40, unique)
--   p_new_dial_digits   1..9
--   p_new_multiplier    above zero, at most 2 decimals; NULL means 1
--   p_new_initial_read  0 <= value < 10^dial_digits, at most two decimals
--   p_actor             who acts, required
-- Result: one row (old_meter_id, new_meter_id, final_reading_id).
-- Errors: 45001 NOT_FOUND (no such account, or it has no active meter); 45002 INVALID_ARGUMENT
--         (a missing or malformed argument, exchanged_on after today or not after the last
--         day billed, a bad new meter); 45003 CONFLICT (the new serial exists); 45011
--         READING_OUT_OF_RANGE (final read negative or >= capacity, or exchanged_on not after
--         the old meter's latest point); 45010 READING_BACKWARDS (final read below the latest
--         point, not a rollover).
-- Locks: the account, then the old meter and its latest point (as record_reading), then the
-- account's bills (shared read of the last billed day).
-- Arguments arrive as LONGTEXT and are checked and converted into typed locals (the _arg_*
-- functions) at the top of the body, before anything is read or written.
-- Isolation: READ COMMITTED (REPEATABLE READ where the binary log is statement-based): the
--   locking read of the old meter's latest point then locks no gap of meter_reading's index,
--   where another account's exchange inserts its new meter's initial read.
-- Example: CALL exchange_meter(12, '2026-03-15', 4210.5, 'SN-000999', 6, 40, 0, 'staff:alice');
CREATE PROCEDURE exchange_meter(IN p_account_id LONGTEXT,
                                IN p_exchanged_on LONGTEXT,
                                IN p_old_final_read LONGTEXT,
                                IN p_new_serial_no LONGTEXT,
                                IN p_new_dial_digits LONGTEXT,
                                IN p_new_multiplier LONGTEXT,
                                IN p_new_initial_read LONGTEXT,
                                IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_account_id INT UNSIGNED
        DEFAULT _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001);
    DECLARE v_on DATE DEFAULT _arg_date(p_exchanged_on, 'exchanged_on');
    DECLARE v_final DECIMAL(20,6) DEFAULT _arg_decimal(p_old_final_read, 'old_final_read', 14, 6, 45011);
    DECLARE v_serial_no VARCHAR(200) DEFAULT _arg_text(p_new_serial_no, 'new_serial_no', 200);
    DECLARE v_dial_digits INT
        DEFAULT _arg_int(p_new_dial_digits, 'new_dial_digits', -2147483648, 2147483647, 45002);
    DECLARE v_multiplier DECIMAL(20,6)
        DEFAULT COALESCE(_arg_decimal(p_new_multiplier, 'new_multiplier', 14, 6, 45002), 1);
    DECLARE v_initial DECIMAL(20,6)
        DEFAULT _arg_decimal(p_new_initial_read, 'new_initial_read', 14, 6, 45002);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_serial VARCHAR(200) DEFAULT TRIM(v_serial_no);
    DECLARE v_found INT UNSIGNED;
    DECLARE v_old_meter INT UNSIGNED;
    DECLARE v_old_digits TINYINT UNSIGNED;
    DECLARE v_old_multiplier DECIMAL(8,2);
    DECLARE v_last_on DATE;
    DECLARE v_last_value DECIMAL(12,2);
    DECLARE v_billed_to DATE;
    DECLARE v_kwh DECIMAL(14,4);
    DECLARE v_count INT;
    DECLARE v_duplicate BOOLEAN DEFAULT FALSE;
    DECLARE v_final_id INT UNSIGNED;
    DECLARE v_new_meter INT UNSIGNED;
    DECLARE v_read_committed TINYINT
        DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    -- a concurrent install of the same serial: the unique key decides
    DECLARE CONTINUE HANDLER FOR 1062 SET v_duplicate = TRUE;

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF v_account_id IS NULL THEN
        CALL _fail(45002, 'account_id is required');
    END IF;
    IF v_on IS NULL THEN
        CALL _fail(45002, 'exchanged_on is required');
    END IF;
    IF v_on > CURRENT_DATE THEN
        CALL _fail(45002, CONCAT('exchanged_on ', v_on, ' is in the future (today is ', CURRENT_DATE, ')'));
    END IF;
    IF v_final IS NULL THEN
        CALL _fail(45002, 'old_final_read is required');
    END IF;
    IF v_final <> ROUND(v_final, 2) THEN
        CALL _fail(45002, 'old_final_read has more than two decimals');
    END IF;
    IF v_final < 0 THEN
        CALL _fail(45011, CONCAT('old_final_read ', ROUND(v_final, 2), ' is negative'));
    END IF;
    CALL _check_meter_fields('new_', v_serial, v_dial_digits, v_multiplier, v_initial);

    SET @billing_actor = v_actor;
    -- READ COMMITTED (REPEATABLE READ under a statement-based binary log): the locking reads of
    -- the old meter's latest point then lock no gap of meter_reading's index, where another
    -- account's exchange inserts its new meter's initial read (the newest meters' points are at
    -- the index's end): two exchanges of different accounts deadlocked there (found by a race
    -- probe). Every decision is made under the account and meter locks, as before.
    COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
    IF v_read_committed THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    -- lock order: the account first
    SELECT account_id INTO v_found FROM account WHERE account_id = v_account_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no account with id ', v_account_id));
    END IF;
    SELECT meter_id INTO v_old_meter FROM meter_installation
     WHERE account_id = v_account_id AND removed_on IS NULL;
    IF v_old_meter IS NULL THEN
        CALL _fail(45001, CONCAT('account ', v_account_id, ' has no active meter'));
    END IF;
    -- the old meter and its latest point, as record_reading locks them
    SELECT dial_digits, multiplier INTO v_old_digits, v_old_multiplier
      FROM meter WHERE meter_id = v_old_meter FOR UPDATE;
    SELECT read_on, value INTO v_last_on, v_last_value
      FROM meter_reading
     WHERE meter_id = v_old_meter AND status NOT IN ('rejected', 'void')
     ORDER BY read_on DESC LIMIT 1
       FOR UPDATE;
    -- the final read, validated as a reading of the old meter first (the contract's errors:
    -- a day not after the old meter's latest point is 45011, also when it was billed)
    IF v_final >= POW(10, v_old_digits) THEN
        CALL _fail(45011, CONCAT('old_final_read ', ROUND(v_final, 2), ' is at or over the capacity ',
                                  POW(10, v_old_digits), ' of the old meter'));
    END IF;
    IF v_on <= v_last_on THEN
        CALL _fail(45011, CONCAT('exchanged_on ', v_on, ' is not after the old meter''s latest reading (',
                                  v_last_on, ')'));
    END IF;
    SET v_kwh = meter_step_kwh(v_last_value, v_final, v_old_digits, v_old_multiplier);
    IF v_kwh IS NULL THEN
        CALL _fail(45010, CONCAT('old_final_read ', ROUND(v_final, 2), ' is below the latest reading ',
                                  v_last_value, ' of the old meter, not a rollover'));
    END IF;
    -- then our own rule: a billed period keeps its meter (a bill may end on a point dated
    -- before its last day, so a day after the latest point may still be billed)
    SELECT MAX(period_end) INTO v_billed_to
      FROM bill WHERE account_id = v_account_id AND cancelled_at IS NULL;
    IF v_on <= v_billed_to THEN
        CALL _fail(45002, CONCAT('exchanged_on ', v_on, ' is not after the last day billed (', v_billed_to, ')'));
    END IF;

    SELECT COUNT(*) INTO v_count FROM meter WHERE serial_no = v_serial;
    IF v_count > 0 THEN
        CALL _fail(45003, CONCAT('a meter with serial ', LEFT(v_serial, 60), ' exists already'));
    END IF;

    -- the new meter first: an exchange of another account installing the same serial at once
    -- waits here for this one, before it has removed its own meter (it waited after, holding
    -- its installation's entry of uk_installation_active_account, which this one's new
    -- installation needs to check its key: a deadlock instead of 45003; found by a race probe)
    INSERT INTO meter (serial_no, dial_digits, multiplier)
    VALUES (v_serial, v_dial_digits, v_multiplier);
    IF v_duplicate THEN
        CALL _fail(45003, CONCAT('a meter with serial ', LEFT(v_serial, 60), ' exists already'));
    END IF;
    SET v_new_meter = LAST_INSERT_ID();

    INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh, recorded_by)
    VALUES (v_old_meter, v_on, v_final, 'actual', 'field', 'accepted', v_kwh, v_actor);
    SET v_final_id = LAST_INSERT_ID();
    CALL _report_reading(v_final_id, NULL, NULL);        -- the consumption report's figures
    UPDATE meter_installation SET removed_on = v_on
     WHERE meter_id = v_old_meter AND removed_on IS NULL;

    INSERT INTO meter_installation (meter_id, account_id, installed_on, initial_read)
    VALUES (v_new_meter, v_account_id, v_on, v_initial);
    IF v_duplicate THEN
        CALL _fail(45003, CONCAT('account ', v_account_id, ' has an active meter already'));
    END IF;
    INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh, recorded_by)
    VALUES (v_new_meter, v_on, v_initial, 'initial', 'field', 'accepted', 0, v_actor);

    CALL _audit('meter_exchanged', 'meter', v_new_meter, v_account_id,
                JSON_OBJECT('exchanged_on', v_on, 'old_meter_id', v_old_meter,
                            'old_final_read', ROUND(v_final, 2), 'final_reading_id', v_final_id,
                            'new_serial_no', v_serial, 'new_initial_read', ROUND(v_initial, 2)),
                v_actor);
    COMMIT;

    SELECT v_old_meter AS old_meter_id, v_new_meter AS new_meter_id, v_final_id AS final_reading_id;
END
