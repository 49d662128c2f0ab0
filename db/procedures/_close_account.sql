-- _close_account: the body of close_account, with typed arguments (internal; callers CALL close_account,
-- which checks and converts the arguments first). What it does:
-- closes an account: closed_on is its last day of service.
--
-- The account keeps its bills, payments and ledger; payments are refused once it is closed
-- (ACCOUNT_NOT_PAYABLE), and it counts as open on a day only up to closed_on (billing).
-- Its meter installation is left as it is (the meter stays with the closed account).
--
-- Parameters
--   p_account_id  the account
--   p_closed_on   required: the last day of service; not before opened_on and not before the
--                 end of the account's latest bill period (billed days stay billed; a
--                 cancelled bill bills nothing)
--   p_actor       who acts, required
-- Result: one row (account_id).
-- Errors: 45001 NOT_FOUND (no such account); 45002 INVALID_ARGUMENT (no closed_on, closed_on
--         before opened_on or before the latest bill's period_end, no actor); 45003 CONFLICT
--         (already closed).
-- Example: CALL close_account(12, '2026-06-30', 'staff:alice');
CREATE PROCEDURE _close_account(IN p_account_id INT UNSIGNED, IN p_closed_on DATE,
                                IN p_actor VARCHAR(255))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_found INT UNSIGNED;
    DECLARE v_opened DATE;
    DECLARE v_closed DATE;
    DECLARE v_billed_to DATE;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF p_actor IS NULL OR TRIM(p_actor) = '' OR CHAR_LENGTH(p_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF p_account_id IS NULL THEN
        CALL _fail(45002, 'account_id is required');
    END IF;
    IF p_closed_on IS NULL THEN
        CALL _fail(45002, 'closed_on is required');
    END IF;

    SET @billing_actor = p_actor;
    START TRANSACTION;
    -- lock order: the account, then its bills
    SELECT account_id, opened_on, closed_on INTO v_found, v_opened, v_closed
      FROM account WHERE account_id = p_account_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no account with id ', p_account_id));
    END IF;
    IF v_closed IS NOT NULL THEN
        CALL _fail(45003, CONCAT('account ', p_account_id, ' is closed already (on ', v_closed, ')'));
    END IF;
    IF p_closed_on < v_opened THEN
        CALL _fail(45002, CONCAT('closed_on ', p_closed_on, ' is before the account was opened (',
                                  v_opened, ')'));
    END IF;
    SELECT MAX(IF(cancelled_at IS NULL, period_end, NULL)) INTO v_billed_to
      FROM bill WHERE account_id = p_account_id FOR UPDATE;
    IF p_closed_on < v_billed_to THEN
        CALL _fail(45002, CONCAT('closed_on ', p_closed_on,
                                  ' is before the end of the latest bill period (', v_billed_to, ')'));
    END IF;
    UPDATE account SET closed_on = p_closed_on WHERE account_id = p_account_id;
    COMMIT;

    SELECT p_account_id AS account_id;
END
