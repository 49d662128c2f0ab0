-- close_account: closes an account: closed_on is its last day of service.
--
-- The account keeps its bills, payments and ledger; it accepts payments while it has money
-- open (ACCOUNT_NOT_PAYABLE once nothing is open), and it is billed up to closed_on: the next
-- run of the period containing closed_on (or bill_account) makes its final bill, be = closed_on
-- (billing-rules.md, "Closing an account"). Its active meter is removed on closed_on. The final
-- reading, when there is one, is recorded first with record_reading dated closed_on.
--
-- Parameters
--   p_account_id  the account
--   p_closed_on   required: the last day of service; not before opened_on, not before the
--                 end of the account's latest bill period (billed days stay billed; a
--                 cancelled bill bills nothing), not after today, not before the active
--                 meter's latest point
--   p_actor       who acts, required
-- Result: one row (account_id).
-- Errors: 45001 NOT_FOUND (no such account); 45002 INVALID_ARGUMENT (no closed_on, closed_on
--         before opened_on, before the latest bill's period_end, after today or before the
--         meter's latest point, no actor); 45003 CONFLICT (already closed).
-- Locks: the account, its bills, then its active meter and that meter's latest point.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL close_account(12, '2026-06-30', 'staff:alice');
CREATE PROCEDURE close_account(IN p_account_id LONGTEXT,
                               IN p_closed_on LONGTEXT,
                               IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_account_id INT UNSIGNED
        DEFAULT _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001);
    DECLARE v_closed_on DATE DEFAULT _arg_date(p_closed_on, 'closed_on');
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_found INT UNSIGNED;
    DECLARE v_opened DATE;
    DECLARE v_closed DATE;
    DECLARE v_billed_to DATE;
    DECLARE v_meter INT UNSIGNED;
    DECLARE v_last_on DATE;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF v_account_id IS NULL THEN
        CALL _fail(45002, 'account_id is required');
    END IF;
    IF v_closed_on IS NULL THEN
        CALL _fail(45002, 'closed_on is required');
    END IF;
    IF v_closed_on > CURRENT_DATE THEN
        CALL _fail(45002, CONCAT('closed_on ', v_closed_on, ' is in the future (today is ', CURRENT_DATE, ')'));
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    -- lock order: the account, then its bills
    SELECT account_id, opened_on, closed_on INTO v_found, v_opened, v_closed
      FROM account WHERE account_id = v_account_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no account with id ', v_account_id));
    END IF;
    IF v_closed IS NOT NULL THEN
        CALL _fail(45003, CONCAT('account ', v_account_id, ' is closed already (on ', v_closed, ')'));
    END IF;
    IF v_closed_on < v_opened THEN
        CALL _fail(45002, CONCAT('closed_on ', v_closed_on, ' is before the account was opened (',
                                  v_opened, ')'));
    END IF;
    SELECT MAX(IF(cancelled_at IS NULL, period_end, NULL)) INTO v_billed_to
      FROM bill WHERE account_id = v_account_id FOR UPDATE;
    IF v_closed_on < v_billed_to THEN
        CALL _fail(45002, CONCAT('closed_on ', v_closed_on,
                                  ' is before the end of the latest bill period (', v_billed_to, ')'));
    END IF;
    -- the active meter (locked as record_reading locks it): removed on closed_on
    SELECT meter_id INTO v_meter FROM meter_installation
     WHERE account_id = v_account_id AND removed_on IS NULL;
    IF v_meter IS NOT NULL THEN
        SELECT meter_id INTO v_meter FROM meter WHERE meter_id = v_meter FOR UPDATE;
        SELECT MAX(read_on) INTO v_last_on FROM meter_reading
         WHERE meter_id = v_meter AND status NOT IN ('rejected', 'void') FOR UPDATE;
        IF v_closed_on < v_last_on THEN
            CALL _fail(45002, CONCAT('closed_on ', v_closed_on, ' is before the meter''s latest reading (',
                                      v_last_on, ')'));
        END IF;
        UPDATE meter_installation SET removed_on = v_closed_on
         WHERE meter_id = v_meter AND removed_on IS NULL;
    END IF;
    UPDATE account SET closed_on = v_closed_on WHERE account_id = v_account_id;
    COMMIT;

    SELECT v_account_id AS account_id;
END
