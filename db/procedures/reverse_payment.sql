-- reverse_payment: reverses a posted payment (a bounced cheque, a charge-back).
--
-- Every allocation of the payment is undone by rows of the opposite sign (per bill one negative
-- allocation of the payment's net amount on it; allocations are never edited or deleted), the
-- bills' amount_paid drops by as much, the payment's amount_allocated becomes 0 and its
-- unallocated credit is gone with it; the ledger is debited the payment's amount (entry_type
-- 'payment_reversal'). On every bill that loses money and had its early-payment rebate granted,
-- the rebate is revoked: bill line 'rebate_revoked' +R, total_amount += R, rebate_granted = 0,
-- ledger debit +R (entry_type 'rebate_revoked'). The payment is marked 'reversed' with
-- reversed_at, reversed_by and reversal_reason. A payment is reversed at most once.
-- Ledger rows are dated today (CURRENT_DATE). Credit that other payments of the account still
-- carry then goes to the reopened bills at once (_allocate_payment, payment id order, today as
-- the payment date), as the billing engine does when it issues a bill: an account never shows
-- open bills and unallocated credit side by side. A payment_reversed notice is written in the
-- same transaction (_queue_notice), and the reports' deltas: the payment moves to its day's
-- reversed payments (report_collections_part), a revoked rebate back into its bill's month
-- (report_revenue_part; migration 0121).
--
-- Parameters
--   p_payment_id  the payment to reverse
--   p_reason      why (required; kept in payment.reversal_reason)
--   p_actor       who acts (staff:<username>, batch:<job>)
-- Result (one row): payment_id, balance_after (the account's balance after the reversal)
-- Errors
--   45001 no payment with that id      45002 no payment id, blank reason or actor
--   45003 part of the payment's money was refunded (refund_credit)
--   45023 the payment was reversed before (also the loser of two racing reversals)
-- Locks: the payment's account is found by a plain read (account_id never changes); then, in
-- one transaction, the account row, its bills, the payment row (FOR UPDATE), and the status is
-- checked under that lock; then the payments with credit (_allocate_payment locks each).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example:
--   CALL reverse_payment(42, 'cheque returned unpaid', 'staff:alice');
CREATE PROCEDURE reverse_payment(IN p_payment_id LONGTEXT,
                                 IN p_reason LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_payment_id INT UNSIGNED
        DEFAULT _arg_int(p_payment_id, 'payment_id', 0, 4294967295, 45001);
    DECLARE v_reason VARCHAR(500) DEFAULT _arg_text(p_reason, 'reason', 500);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_account_id INT UNSIGNED;
    DECLARE v_n INT;
    DECLARE v_status VARCHAR(10);
    DECLARE v_amount DECIMAL(12,2);
    DECLARE v_refunded DECIMAL(12,2);
    DECLARE v_undo JSON;
    DECLARE v_balance DECIMAL(12,2);
    DECLARE v_credit_payment INT UNSIGNED;
    DECLARE v_done TINYINT DEFAULT 0;
    -- Credit is allocated payment by payment: what one takes decides what the next finds open, so
    -- this is a loop (over the few payments of the account that still carry credit).
    DECLARE c_credit CURSOR FOR
        SELECT payment_id FROM payment WHERE credit_account_id = v_account_id ORDER BY payment_id;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF _is_blank(v_reason) THEN
        CALL _fail(45002, 'reason is required');
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_payment_id IS NULL THEN
        CALL _fail(45002, 'payment_id is required');
    END IF;
    SELECT MAX(account_id) INTO v_account_id FROM payment WHERE payment_id = v_payment_id;
    IF v_account_id IS NULL THEN
        CALL _fail(45001, CONCAT('no payment with id ', v_payment_id));
    END IF;

    SET @billing_actor = v_actor;              -- the audit triggers read it
    START TRANSACTION;
    -- lock order: the account row, then its bills, then the payment
    SELECT COUNT(*) INTO v_n FROM account WHERE account_id = v_account_id FOR UPDATE;
    SELECT COUNT(*) INTO v_n FROM bill FORCE INDEX (uk_bill_account_period)
     WHERE account_id = v_account_id FOR UPDATE;     -- the index: lock this account's bills only
    SELECT status, amount, amount_refunded INTO v_status, v_amount, v_refunded
      FROM payment WHERE payment_id = v_payment_id FOR UPDATE;
    IF v_status = 'reversed' THEN
        CALL _fail(45023, CONCAT('payment ', v_payment_id, ' was reversed before'));
    END IF;
    IF v_refunded > 0 THEN
        CALL _fail(45003, CONCAT('payment ', v_payment_id, ' cannot be reversed: ', v_refunded,
                                  ' of it was refunded'));
    END IF;

    -- per bill the payment's net allocation and the rebate to revoke. A plain read: the
    -- transaction's snapshot is taken here, after the locks above, and every writer of these rows
    -- holds the account lock, so it reads the latest values without locking index ranges.
    SELECT JSON_ARRAYAGG(JSON_OBJECT(
               'bill_id', a.bill_id,
               'net', CAST(a.net AS CHAR),
               'revoked_amount', CAST(IF(b.rebate_granted = 1, b.rebate_amount, 0) AS CHAR),
               'line_no', IF(b.rebate_granted = 1,
                             (SELECT COALESCE(MAX(l.line_no), 0) + 1
                                FROM bill_line l WHERE l.bill_id = a.bill_id), NULL)))
      INTO v_undo
      FROM (SELECT bill_id, SUM(amount) AS net
              FROM payment_allocation WHERE payment_id = v_payment_id
             GROUP BY bill_id) a
      JOIN bill b ON b.bill_id = a.bill_id
     WHERE a.net > 0;

    IF v_undo IS NOT NULL THEN
        INSERT INTO payment_allocation (payment_id, bill_id, amount)
        SELECT v_payment_id, u.bill_id, -u.net
          FROM JSON_TABLE(v_undo, '$[*]' COLUMNS (
                   bill_id INT UNSIGNED PATH '$.bill_id',
                   net DECIMAL(12,2) PATH '$.net')) u
         ORDER BY u.bill_id;

        INSERT INTO bill_line (bill_id, line_no, kind, description, amount)
        SELECT u.bill_id, u.line_no, 'rebate_revoked', 'Early-payment rebate revoked', u.revoked_amount
          FROM JSON_TABLE(v_undo, '$[*]' COLUMNS (
                   bill_id INT UNSIGNED PATH '$.bill_id',
                   revoked_amount DECIMAL(12,2) PATH '$.revoked_amount',
                   line_no SMALLINT UNSIGNED PATH '$.line_no')) u
         WHERE u.revoked_amount > 0;
    END IF;

    INSERT INTO ledger_entry (account_id, entry_type, amount, payment_id, entry_date, actor)
    VALUES (v_account_id, 'payment_reversal', v_amount, v_payment_id, CURRENT_DATE, v_actor);

    IF v_undo IS NOT NULL THEN
        INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
        SELECT v_account_id, 'rebate_revoked', u.revoked_amount, u.bill_id, CURRENT_DATE, v_actor
          FROM JSON_TABLE(v_undo, '$[*]' COLUMNS (
                   bill_id INT UNSIGNED PATH '$.bill_id',
                   revoked_amount DECIMAL(12,2) PATH '$.revoked_amount')) u
         WHERE u.revoked_amount > 0
         ORDER BY u.bill_id;

        -- paid down, total back up: both keep amount_paid <= total_amount, and the row is
        -- checked once, after the whole statement's change to it
        -- (STRAIGHT_JOIN: the list first, then each bill by its id, never a locking scan)
        UPDATE JSON_TABLE(v_undo, '$[*]' COLUMNS (
                   bill_id INT UNSIGNED PATH '$.bill_id',
                   net DECIMAL(12,2) PATH '$.net',
                   revoked_amount DECIMAL(12,2) PATH '$.revoked_amount')) u
          STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = u.bill_id
           SET b.amount_paid = b.amount_paid - u.net,
               b.total_amount = b.total_amount + u.revoked_amount,
               b.rebate_granted = IF(u.revoked_amount > 0, 0, b.rebate_granted);

        -- the revenue report's figures (report_revenue_part, migration 0121): the revoked
        -- rebates by the month and tariff version of their bills
        INSERT INTO report_revenue_part (month_start, tariff_version_id, rebate_amount,
                                          total_billed)
        SELECT r.month_start, r.tariff_version_id, SUM(r.revoked_amount), SUM(r.revoked_amount)
          FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
                       b.tariff_version_id, u.revoked_amount
                  FROM JSON_TABLE(v_undo, '$[*]' COLUMNS (
                           bill_id INT UNSIGNED PATH '$.bill_id',
                           revoked_amount DECIMAL(12,2) PATH '$.revoked_amount')) u
                  STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = u.bill_id
                 WHERE u.revoked_amount > 0 AND b.cancelled_at IS NULL) r
         GROUP BY r.month_start, r.tariff_version_id;
    END IF;

    UPDATE payment
       SET status = 'reversed', amount_allocated = 0, reversed_at = NOW(),
           reversed_by = v_actor, reversal_reason = v_reason
     WHERE payment_id = v_payment_id;
    -- the collections report's figures (report_collections_part, migration 0121): the payment
    -- leaves the payments that stand on its day and joins those reversed later
    INSERT INTO report_collections_part (day, cashier, method, payments, amount,
                                          reversed_payments, reversed_amount)
    SELECT DATE(paid_at), posted_by, method, -1, -amount, 1, amount
      FROM payment WHERE payment_id = v_payment_id;

    IF v_undo IS NOT NULL THEN
        SET v_done = 0;
        OPEN c_credit;
        credit_loop: LOOP
            FETCH c_credit INTO v_credit_payment;
            IF v_done = 1 THEN LEAVE credit_loop; END IF;
            CALL _allocate_payment(v_credit_payment, CURRENT_DATE, v_actor);
        END LOOP;
        CLOSE c_credit;
    END IF;

    CALL _queue_notice('payment_reversed', v_account_id, NULL, v_payment_id, NULL);
    SELECT SUM(amount) INTO v_balance FROM ledger_entry WHERE account_id = v_account_id;
    CALL _audit('payment_reversed', 'payment', v_payment_id, v_account_id,
                JSON_OBJECT('amount', v_amount, 'reason', v_reason, 'balance_after', v_balance),
                v_actor);
    COMMIT;
    SELECT v_payment_id AS payment_id, v_balance AS balance_after;
END
