-- cancel_bill: cancels a wrong bill so that its days can be billed again
-- (../shared/spec/billing-rules.md, "Corrections"). Bills and lines are never edited or deleted.
--
-- Only the account's latest bill that is not cancelled (by period_end) can be cancelled. In one
-- transaction, in the rules' order:
--   1. every payment's net allocation to the bill, when above zero, is undone by an allocation of
--      the opposite sign (the money is that payment's unallocated credit again);
--   2. the ledger is credited the bill's current total (after a granted rebate and a late fee),
--      entry type 'bill_cancel', dated today; the bill and every line of it leave the revenue
--      report (a negative delta in report_revenue_part, migration 0121);
--   3. the bill is cancelled (cancelled_at/by, cancel_reason) with a credit-note number
--      CN-YYYY-NNNNNN, gapless per year of today (_next_number 'credit_note');
--   4. when the bill's end reading is an estimate, it becomes 'void' (no point any more), and the
--      meter's next point, if any, gets its step recomputed from its new predecessor;
--   5. the freed credit (and any other unallocated credit of the account) is allocated at once to
--      the account's other open bills, payment by payment in payment id order, with today as the
--      payment date (_allocate_payment, as reverse_payment and the billing engine do).
-- Nothing is written when an error is signalled. A bill_cancelled audit event (_audit) and a
-- bill_cancelled notice are written in the same
-- transaction (_queue_notice; docs/notices.md).
--
-- Parameters (LONGTEXT, whatever the caller sends; converted by the _arg_* functions at the top)
--   p_bill_id  the bill to cancel
--   p_reason   why (1..500 characters, not blank): kept on the bill
--   p_actor    who acts (staff:<username>, batch:<job>)
-- Result (one row): bill_id, credit_note_no, amount_credited (the total credited in step 2),
--   balance_after (the account's balance right after the cancel; negative is credit)
-- Errors
--   45001 no bill with that id               45002 no bill id, blank or too long reason or
--                                                  actor, bad id text
--   45010 voiding the estimate would make the meter's next point run backwards (not a rollover)
--   45050 the bill is cancelled already, or a later bill of the account is not cancelled
-- Locks: the account row, its meters (as the billing engine: account, then meter; their
-- installation rows share-locked first, by a cursor, so that every lock is taken before this
-- transaction's first plain read and no installation row is locked for writing), the account's
-- bills (by uk_bill_account_period, this account's only), the payments in payment id order,
-- then the credit-note counter of the year (held to commit: gapless).
-- Example:
--   CALL cancel_bill(1234, 'meter misread: 18230 is 13830', 'staff:alice');
CREATE PROCEDURE cancel_bill(IN p_bill_id LONGTEXT,
                             IN p_reason LONGTEXT,
                             IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_bill_id INT UNSIGNED;
    DECLARE v_reason VARCHAR(500);
    DECLARE v_actor VARCHAR(100);
    DECLARE v_account_id INT UNSIGNED;
    DECLARE v_n INT;
    DECLARE v_cancelled DATETIME;
    DECLARE v_period_end DATE;
    DECLARE v_total DECIMAL(12,2);
    DECLARE v_estimated TINYINT;
    DECLARE v_end_reading INT UNSIGNED;
    DECLARE v_later VARCHAR(16);
    DECLARE v_meter_id INT UNSIGNED;
    DECLARE v_read_on DATE;
    DECLARE v_next_id INT UNSIGNED;
    DECLARE v_next_value DECIMAL(12,2);
    DECLARE v_pred_value DECIMAL(12,2);
    DECLARE v_dial_digits TINYINT UNSIGNED;
    DECLARE v_multiplier DECIMAL(8,2);
    DECLARE v_next_step DECIMAL(14,4);
    DECLARE v_next_status VARCHAR(8);
    DECLARE v_next_old_kwh DECIMAL(14,4);
    DECLARE v_undo JSON;
    DECLARE v_cn INT UNSIGNED;
    DECLARE v_cn_no VARCHAR(16);
    DECLARE v_balance DECIMAL(12,2);
    DECLARE v_credit_payment INT UNSIGNED;
    DECLARE v_done TINYINT DEFAULT 0;
    DECLARE v_lock_meter INT UNSIGNED;
    -- Credit is allocated payment by payment: what one takes decides what the next finds open, so
    -- this is a loop (over the few payments of the account that still carry credit).
    DECLARE c_credit CURSOR FOR
        SELECT payment_id FROM payment WHERE credit_account_id = v_account_id ORDER BY payment_id;
    -- The account's meters are locked one by one, by id, after their installation rows are
    -- share-locked (see the lock order below): a join locked the installation rows first, which
    -- record_reading and approve_reading read after locking the meter (a deadlock, 1213; found by
    -- a race probe), and a non-locking read would take the transaction's snapshot before the
    -- meter locks are granted. An account has a meter or a few (exchanges): a short loop.
    DECLARE c_meter CURSOR FOR
        SELECT meter_id FROM meter_installation WHERE account_id = v_account_id
         ORDER BY meter_id LOCK IN SHARE MODE;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments, converted and checked before anything is locked
    SET v_bill_id = _arg_int(p_bill_id, 'bill_id', 0, 4294967295, 45001),
        v_reason = _arg_text(p_reason, 'reason', 500),
        v_actor = _arg_text(p_actor, 'actor', 100);
    IF _is_blank(v_reason) THEN
        CALL _fail(45002, 'reason is required');
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_bill_id IS NULL THEN
        CALL _fail(45002, 'bill_id is required');
    END IF;
    SELECT MAX(account_id) INTO v_account_id FROM bill WHERE bill_id = v_bill_id;
    IF v_account_id IS NULL THEN
        CALL _fail(45001, CONCAT('no bill with id ', v_bill_id));
    END IF;

    SET @billing_actor = v_actor;              -- the audit triggers read it
    START TRANSACTION;
    -- lock order: the account row, its meter, then its bills, then payments
    SELECT COUNT(*) INTO v_n FROM account WHERE account_id = v_account_id FOR UPDATE;
    OPEN c_meter;
    lock_meters: LOOP
        FETCH c_meter INTO v_lock_meter;
        IF v_done THEN
            LEAVE lock_meters;
        END IF;
        SELECT COUNT(*) INTO v_n FROM meter WHERE meter_id = v_lock_meter FOR UPDATE;
    END LOOP;
    CLOSE c_meter;
    SET v_done = 0;
    SELECT COUNT(*) INTO v_n FROM bill FORCE INDEX (uk_bill_account_period)
     WHERE account_id = v_account_id FOR UPDATE;     -- the index: lock this account's bills only

    -- the bill as it is now (plain reads below see the latest values: every writer of this
    -- account's bills, allocations and readings holds a lock we hold now)
    SELECT cancelled_at, period_end, total_amount, estimated, end_reading_id
      INTO v_cancelled, v_period_end, v_total, v_estimated, v_end_reading
      FROM bill WHERE bill_id = v_bill_id;
    IF v_cancelled IS NOT NULL THEN
        CALL _fail(45050, CONCAT('bill ', v_bill_id, ' is cancelled already'));
    END IF;
    SELECT MIN(bill_no) INTO v_later FROM bill
     WHERE account_id = v_account_id AND cancelled_at IS NULL AND period_end > v_period_end;
    IF v_later IS NOT NULL THEN
        CALL _fail(45050, CONCAT('bill ', v_bill_id, ' is not the latest bill of its account: cancel bill ',
                                  v_later, ' first'));
    END IF;

    -- step 4 is checked first (an error leaves nothing behind either way): the estimate's
    -- successor on its meter gets its step from the point before the estimate
    IF v_estimated = 1 THEN
        SELECT r.meter_id, r.read_on, m.dial_digits, m.multiplier
          INTO v_meter_id, v_read_on, v_dial_digits, v_multiplier
          FROM meter_reading r JOIN meter m ON m.meter_id = r.meter_id
         WHERE r.reading_id = v_end_reading AND r.kind = 'estimated';
    END IF;
    IF v_meter_id IS NOT NULL THEN
        SELECT MAX(reading_id), MAX(value) INTO v_next_id, v_next_value
          FROM meter_reading
         WHERE meter_id = v_meter_id
           AND point_on = (SELECT MIN(point_on) FROM meter_reading
                            WHERE meter_id = v_meter_id AND point_on > v_read_on);
        IF v_next_id IS NOT NULL THEN
            SELECT MAX(value) INTO v_pred_value
              FROM meter_reading
             WHERE meter_id = v_meter_id
               AND point_on = (SELECT MAX(point_on) FROM meter_reading
                                WHERE meter_id = v_meter_id AND point_on < v_read_on);
            SET v_next_step = meter_step_kwh(v_pred_value, v_next_value, v_dial_digits, v_multiplier);
            IF v_next_step IS NULL THEN
                CALL _fail(45010, CONCAT('without estimate ', v_end_reading, ', reading ', v_next_id, ' (',
                                          v_next_value, ') runs backwards from ', v_pred_value,
                                          ': not cancelled'));
            END IF;
        END IF;
    END IF;

    -- 1. undo every payment's net allocation to the bill (payments locked in id order)
    SELECT JSON_ARRAYAGG(JSON_OBJECT('payment_id', a.payment_id, 'net', CAST(a.net AS CHAR)))
      INTO v_undo
      FROM (SELECT payment_id, SUM(amount) AS net
              FROM payment_allocation WHERE bill_id = v_bill_id
             GROUP BY payment_id) a
     WHERE a.net > 0;
    IF v_undo IS NOT NULL THEN
        SELECT COUNT(*) INTO v_n FROM payment
         WHERE payment_id IN (SELECT u.payment_id FROM JSON_TABLE(v_undo, '$[*]' COLUMNS (
                                  payment_id INT UNSIGNED PATH '$.payment_id')) u)
           FOR UPDATE;                                  -- by the primary key: payment id order
        INSERT INTO payment_allocation (payment_id, bill_id, amount)
        SELECT u.payment_id, v_bill_id, -u.net
          FROM JSON_TABLE(v_undo, '$[*]' COLUMNS (
                   payment_id INT UNSIGNED PATH '$.payment_id',
                   net DECIMAL(12,2) PATH '$.net')) u
         ORDER BY u.payment_id;
        UPDATE JSON_TABLE(v_undo, '$[*]' COLUMNS (
                   payment_id INT UNSIGNED PATH '$.payment_id',
                   net DECIMAL(12,2) PATH '$.net')) u
          STRAIGHT_JOIN payment p FORCE INDEX (PRIMARY) ON p.payment_id = u.payment_id
           SET p.amount_allocated = p.amount_allocated - u.net;
    END IF;

    -- 2. the ledger credit of the bill's current total
    INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
    VALUES (v_account_id, 'bill_cancel', -v_total, v_bill_id, CURRENT_DATE, v_actor);
    -- the revenue report's figures (report_revenue_part, migration 0121): the bill leaves its
    -- month and tariff version with every line it has
    INSERT INTO report_revenue_part (month_start, tariff_version_id, bills, consumption_kwh,
                                      energy_charge, fixed_charge, discount_amount, tax_amount,
                                      late_fee, rebate_amount, total_billed)
    SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY, b.tariff_version_id, -1,
           -b.consumption_kwh, -l.energy, -l.fixed, -l.discount, -l.tax, -l.late_fee,
           -l.rebate, -b.total_amount
      FROM bill b
     CROSS JOIN (SELECT COALESCE(SUM(IF(kind = 'energy', amount, 0)), 0) AS energy,
                        COALESCE(SUM(IF(kind = 'fixed', amount, 0)), 0) AS fixed,
                        COALESCE(SUM(IF(kind = 'discount', amount, 0)), 0) AS discount,
                        COALESCE(SUM(IF(kind = 'tax', amount, 0)), 0) AS tax,
                        COALESCE(SUM(IF(kind = 'late_fee', amount, 0)), 0) AS late_fee,
                        COALESCE(SUM(IF(kind IN ('rebate', 'rebate_revoked'), amount, 0)), 0) AS rebate
                   FROM bill_line WHERE bill_id = v_bill_id) l
     WHERE b.bill_id = v_bill_id;

    -- 3. cancelled, with its credit note (the counter row stays locked until COMMIT: gapless)
    CALL _next_number('credit_note', YEAR(CURRENT_DATE), v_cn);
    SET v_cn_no = CONCAT('CN-', YEAR(CURRENT_DATE), '-', LPAD(v_cn, 6, '0'));
    UPDATE bill
       SET amount_paid = 0, cancelled_at = NOW(), cancelled_by = v_actor, cancel_reason = v_reason,
           credit_note_no = v_cn_no
     WHERE bill_id = v_bill_id;

    -- 4. the estimate stops being a point; its successor's step is re-based
    IF v_meter_id IS NOT NULL THEN
        UPDATE meter_reading SET status = 'void' WHERE reading_id = v_end_reading;
        IF v_next_id IS NOT NULL THEN
            SELECT status, consumption_kwh INTO v_next_status, v_next_old_kwh
              FROM meter_reading WHERE reading_id = v_next_id FOR UPDATE;   -- as it is now
            UPDATE meter_reading SET consumption_kwh = v_next_step WHERE reading_id = v_next_id;
            CALL _report_reading(v_next_id, v_next_status, v_next_old_kwh);  -- the report's kWh
        END IF;
    END IF;

    -- 5. the account's credit goes to its other open bills at once, today as the payment date
    OPEN c_credit;
    credit_loop: LOOP
        FETCH c_credit INTO v_credit_payment;
        IF v_done = 1 THEN LEAVE credit_loop; END IF;
        CALL _allocate_payment(v_credit_payment, CURRENT_DATE, v_actor);
    END LOOP;
    CLOSE c_credit;

    CALL _queue_notice('bill_cancelled', v_account_id, v_bill_id, NULL, NULL);
    SELECT SUM(amount) INTO v_balance FROM ledger_entry WHERE account_id = v_account_id;
    CALL _audit('bill_cancelled', 'bill', v_bill_id, v_account_id,
                JSON_OBJECT('reason', v_reason, 'credit_note_no', v_cn_no,
                            'amount_credited', v_total, 'balance_after', v_balance), v_actor);
    COMMIT;
    SELECT v_bill_id AS bill_id, v_cn_no AS credit_note_no, v_total AS amount_credited,
           v_balance AS balance_after;
END
