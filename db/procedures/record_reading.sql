-- record_reading: stores an actual register reading of a meter, with its consumption since the
-- meter's latest point and the high-use check (billing rules, "Consumption").
--
-- The meter's points are its meter_reading rows neither rejected nor void (void: an estimate
-- whose bill was cancelled, cancel_bill) (the initial read at installation
-- is one, kind 'initial'); the latest point is the one with the greatest read_on, whatever its
-- status. consumption_kwh = meter_step_kwh(latest point's value, p_value) (rollover and
-- multiplier applied). High use: the history is the last (up to) 3 intervals between
-- consecutive accepted points, i.e. the newest (up to) 4 accepted points; history_days runs from
-- the oldest to the newest of them and history_kwh is the sum of the steps from each of them to
-- the next (_high_use_history_kwh: an interval spans the points in review between its two
-- accepted points, passed over; not the steps stored through them). The reading goes to
-- 'review' when there is at least one history interval, history_kwh > 0 and
-- new_kwh * history_days > 3 * history_kwh * new_days; else 'accepted'.
-- The meter row is locked first, so readings of one meter are recorded one after the other.
-- The checks and the insert are _insert_reading's (shared with preview_readings).
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
-- Isolation: READ COMMITTED (REPEATABLE READ where the binary log is statement-based): the
--   meter's look-up by serial is a locking read (_insert_reading), which then locks no gap of
--   the serial index, where an exchange_meter inserts its new meter's serial.
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
    DECLARE v_kwh DECIMAL(14,4);
    DECLARE v_status VARCHAR(8);
    DECLARE v_reading_id INT UNSIGNED;
    DECLARE v_read_committed TINYINT
        DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    SET @billing_actor = v_actor;
    -- READ COMMITTED (REPEATABLE READ where the binary log is statement-based): the meter is
    -- looked up by serial with a locking read (_insert_reading), which under REPEATABLE READ
    -- also locked the gap before the serial in its index: an exchange_meter of that meter,
    -- inserting the new meter's serial there, was a deadlock with a reading queued on the meter
    COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
    IF v_read_committed THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    CALL _insert_reading(v_serial_no, v_read_on, v_value, v_source, v_actor,
                         v_reading_id, v_status, v_kwh);
    COMMIT;

    SELECT v_reading_id AS reading_id, v_status AS status, v_kwh AS consumption_kwh;
END
