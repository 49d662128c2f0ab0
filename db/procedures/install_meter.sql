-- install_meter: installs a new meter on an account and records its initial read.
--
-- Creates the meter, its installation on the account, and the meter's first reading point: a
-- meter_reading row of kind 'initial' (source 'field', status 'accepted', consumption 0, dated
-- installed_on, value initial_read). A meter is installed once; an account has at most one
-- active meter (an installation without removed_on).
--
-- Parameters
--   p_account_id    the account
--   p_serial_no     required; trimmed, 1..40 characters, unique
--   p_dial_digits   required: 1..9 (the register counts up to 10^dial_digits - 1)
--   p_multiplier    the CT ratio, above zero, at most 2 decimals (so consumption stays exact); NULL means 1
--   p_installed_on  required: not before the account was opened, not after it was closed, not
--                   after today (the initial read is a reading), not before the day the
--                   account's previous meter was removed nor on or before the day it was
--                   installed (an account's installations never overlap; the removal day
--                   itself is an exchange)
--   p_initial_read  required: the register value at installation, 0 <= value < 10^dial_digits,
--                   at most two decimals
--   p_actor         who acts, required
-- Result: one row (meter_id).
-- Errors: 45001 NOT_FOUND (no such account); 45002 INVALID_ARGUMENT (bad serial, dial digits,
--         multiplier, date or initial read, no actor; installed_on in the future, after the
--         account was closed, or not after its previous meter: billing reads one meter a
--         day); 45003 CONFLICT (the serial exists, or the account has an active meter).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL install_meter(12, 'SN-000123', 5, 1, '2026-01-01', 0, 'staff:alice');
CREATE PROCEDURE install_meter(IN p_account_id LONGTEXT,
                               IN p_serial_no LONGTEXT,
                               IN p_dial_digits LONGTEXT,
                               IN p_multiplier LONGTEXT,
                               IN p_installed_on LONGTEXT,
                               IN p_initial_read LONGTEXT,
                               IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_account_id INT UNSIGNED
        DEFAULT _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001);
    DECLARE v_serial_no VARCHAR(200) DEFAULT _arg_text(p_serial_no, 'serial_no', 200);
    DECLARE v_dial_digits INT
        DEFAULT _arg_int(p_dial_digits, 'dial_digits', -2147483648, 2147483647, 45002);
    DECLARE v_multiplier DECIMAL(20,6)
        DEFAULT COALESCE(_arg_decimal(p_multiplier, 'multiplier', 14, 6, 45002), 1);
    DECLARE v_installed_on DATE DEFAULT _arg_date(p_installed_on, 'installed_on');
    DECLARE v_initial_read DECIMAL(20,6)
        DEFAULT _arg_decimal(p_initial_read, 'initial_read', 14, 6, 45002);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_serial VARCHAR(200) DEFAULT TRIM(v_serial_no);
    DECLARE v_found INT UNSIGNED;
    DECLARE v_opened DATE;
    DECLARE v_closed DATE;
    DECLARE v_count INT;
    DECLARE v_last_removed DATE;
    DECLARE v_last_installed DATE;
    DECLARE v_duplicate BOOLEAN DEFAULT FALSE;
    DECLARE v_meter_id INT UNSIGNED;
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
    CALL _check_meter_fields('', v_serial, v_dial_digits, v_multiplier, v_initial_read);
    IF v_installed_on IS NULL THEN
        CALL _fail(45002, 'installed_on is required');
    END IF;
    IF v_installed_on > CURRENT_DATE THEN
        CALL _fail(45002, CONCAT('installed_on ', v_installed_on, ' is in the future (today is ',
                                  CURRENT_DATE, ')'));
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    -- the account row first (lock order); it also serializes installs on the account
    SELECT account_id, opened_on, closed_on INTO v_found, v_opened, v_closed
      FROM account WHERE account_id = v_account_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no account with id ', v_account_id));
    END IF;
    IF v_installed_on < v_opened THEN
        CALL _fail(45002, CONCAT('installed_on ', v_installed_on,
                                  ' is before the account was opened (', v_opened, ')'));
    END IF;
    IF v_installed_on > v_closed THEN
        CALL _fail(45002, CONCAT('installed_on ', v_installed_on,
                                  ' is after the account was closed (', v_closed, ')'));
    END IF;
    SELECT COUNT(*) INTO v_count FROM meter_installation
     WHERE account_id = v_account_id AND removed_on IS NULL;
    IF v_count > 0 THEN
        CALL _fail(45003, CONCAT('account ', v_account_id, ' has an active meter already'));
    END IF;
    -- an earlier meter of the account (removed: none is active): the new one starts on the day
    -- it was removed or later, and after the day it was installed (one meter a day to bill)
    SELECT MAX(removed_on), MAX(installed_on) INTO v_last_removed, v_last_installed
      FROM meter_installation WHERE account_id = v_account_id;
    IF v_installed_on < v_last_removed OR v_installed_on <= v_last_installed THEN
        CALL _fail(45002, CONCAT('installed_on ', v_installed_on, ' is not after the account''s ',
                                  'previous meter (installed ', v_last_installed, ', removed ',
                                  v_last_removed, ')'));
    END IF;
    SELECT COUNT(*) INTO v_count FROM meter WHERE serial_no = v_serial;
    IF v_count > 0 THEN
        CALL _fail(45003, CONCAT('a meter with serial ', LEFT(v_serial, 60), ' exists already'));
    END IF;

    INSERT INTO meter (serial_no, dial_digits, multiplier)
    VALUES (v_serial, v_dial_digits, v_multiplier);
    IF v_duplicate THEN
        CALL _fail(45003, CONCAT('a meter with serial ', LEFT(v_serial, 60), ' exists already'));
    END IF;
    SET v_meter_id = LAST_INSERT_ID();
    INSERT INTO meter_installation (meter_id, account_id, installed_on, initial_read)
    VALUES (v_meter_id, v_account_id, v_installed_on, v_initial_read);
    IF v_duplicate THEN
        CALL _fail(45003, CONCAT('account ', v_account_id, ' has an active meter already'));
    END IF;
    INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status,
                                consumption_kwh, recorded_by)
    VALUES (v_meter_id, v_installed_on, v_initial_read, 'initial', 'field', 'accepted',
            0, v_actor);
    COMMIT;

    SELECT v_meter_id AS meter_id;
END
