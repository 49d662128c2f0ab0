-- post_payment: posts a customer's payment to an account and allocates it to the open bills.
--
-- Parameters
--   p_account_id       the account paid into
--   p_amount           the amount: above 0, at most 1,000,000.00, at most two decimals (declared
--                      with more decimals than money so that a third decimal is seen and refused)
--   p_method           cash, card, cheque, bank_transfer or online (exactly, lower case)
--   p_paid_at          when the customer paid; NULL means now. DATE(paid_at) is the payment date
--                      of the rebate rule and of the ledger entry; not after now (the session's
--                      NOW()) and not before the day the account opened
--   p_idempotency_key  the caller's key for this payment: UTF-8 text of 1 to 100 characters,
--                      not blank (_is_blank), compared byte for byte; NULL means the procedure
--                      makes one ('auto:' + a UUID), i.e. no replay protection. Declared
--                      LONGBLOB so that its bytes arrive as sent (a LONGTEXT parameter turned
--                      bytes that are not UTF-8 into '?' under sql_mode '', and two keys into
--                      one); bytes that are not UTF-8 are refused (_arg_utf8)
--   p_actor            who acts (staff:<username>, customer:<customer_no>, batch:<job>)
-- Result (one row): payment_id, receipt_no, allocated, unallocated, balance_after, replayed
--   allocated      money of this payment put on bills; unallocated = amount - allocated, kept
--                  as account credit
--   balance_after  the account's balance (sum of its ledger) right after the posting; negative
--                  is credit
--   replayed       0 for a new posting; 1 when the key was used before for the same account
--                  and amount: nothing is posted and the first call's answer is returned as
--                  it was then (payment_id, receipt_no, allocated, unallocated, balance_after:
--                  later bills, payments or a reversal do not change it)
-- Errors
--   45001 no account with that id            45002 no account id, bad method, blank actor,
--                                                  blank, long or non-UTF-8 key, paid_at in
--                                                  the future; or before opened_on for a new
--                                                  posting (a replay of the key is answered)
--   45020 amount NULL, <= 0, over 1,000,000.00 or with more than two decimals (the message
--         prints the amount as given, without trailing zeros: _decimal_text)
--   45021 closed, nothing open               45022 the key was used for another account or amount
-- Notices: a new posting writes a payment_received notice (as _queue_notice does); a replay none.
-- Locks (docs/payments.md): in one transaction, the account row, its open bills, the new payment.
-- The idempotency key is checked by the payment's unique key: a key used before makes the
-- INSERT fail with duplicate key 1062, the transaction is rolled back (nothing was written) and
-- the first payment is answered; two calls racing with the same key wait on the account lock
-- (or on the unique key) the same way. So a new posting, the common case, reads no key first.
-- Statements of a new posting (issue 24 §3: each statement of a stored program costs; no nested
-- CALL, no JSON on the usual path): one locking read of the account and its open bills (through
-- bill.open_account_id) that also sums what they need and counts the rebates on offer; the
-- payment (amount_allocated = min(amount, that sum)); its ledger credit; the collections
-- report's delta (report_collections_part, migration 0121); the allocation and
-- the bill's amount paid (one bill: two single-row statements; several: an INSERT ... SELECT
-- and an UPDATE with the plan as a window running sum); a plain read of the account's previous
-- posting (its balance_after and last entry), the last allocation id and the notice's skip
-- reason; one of the balance (the previous posting's plus the ledger entries after it, or the
-- whole ledger when there is none); payment_posting with the balance (read by v_receipt:
-- the receipt as posted; the next posting's start), the notice and the audit event as INSERT ... VALUES; commit. When a
-- rebate is on offer on some open bill, _allocation_plan and _apply_allocation (shared with
-- _post_batch_line) plan and write the allocation, rebate lines and credits instead.
-- Audit: a posting writes a payment_posted event in its transaction; a replay writes a
-- payment_replayed event after its answer is read (docs/routines.md, "The audit trail").
-- Arguments arrive as LONGTEXT (the key as LONGBLOB), whatever the caller sends, and are
-- checked and converted into typed locals at the top of the body, before anything is read or
-- written (the usual shapes, digits for the id and digits with up to two decimals for the
-- amount, in place; every other through the _arg_* functions, which give the same value): a
-- wrong type, a value too long, too big or too precise, a key that is not UTF-8, or a date that
-- is no calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example:
--   CALL post_payment(7, 120.50, 'card', NULL, 'web:9f1c2e', 'customer:C000123');
CREATE PROCEDURE post_payment(IN p_account_id LONGTEXT,
                              IN p_amount LONGTEXT,
                              IN p_method LONGTEXT,
                              IN p_paid_at LONGTEXT,
                              IN p_idempotency_key LONGBLOB,
                              IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written. The usual shapes
    -- (digits for the id, digits with up to two decimals for the amount, text within its length,
    -- a key of at most 100 ASCII bytes (its hex digits all below 80), no paid_at) are converted in
    -- place; anything else goes through the _arg_* function, which gives the same value or the
    -- contract's error (the IF evaluates only the branch it takes). A key's bytes are never
    -- CONVERTed before they are known to be UTF-8: the warning of an invalid byte would be a raw
    -- error 1300 in this strict DEFAULT
    DECLARE v_account_id INT UNSIGNED
        DEFAULT IF(CHAR_LENGTH(p_account_id) BETWEEN 1 AND 9 AND p_account_id NOT REGEXP '[^0-9]',
                   CAST(p_account_id AS UNSIGNED),
                   _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001));
    DECLARE v_amount DECIMAL(30,10)
        DEFAULT IF(CHAR_LENGTH(p_amount) BETWEEN 1 AND 10 AND p_amount NOT REGEXP '[^.0-9]'
                   AND p_amount REGEXP '^[0-9]+([.][0-9]{1,2})?$',
                   CAST(p_amount AS DECIMAL(30,10)),
                   _arg_decimal(p_amount, 'amount', 20, 10, 45020));
    DECLARE v_method VARCHAR(100)
        DEFAULT IF(CHAR_LENGTH(p_method) > 100, _arg_text(p_method, 'method', 100), p_method);
    DECLARE v_paid_at DATETIME
        DEFAULT COALESCE(IF(p_paid_at IS NULL, NULL, _arg_datetime(p_paid_at, 'paid_at')), NOW());
    DECLARE v_idempotency_key VARCHAR(100)
        DEFAULT IF(p_idempotency_key IS NULL
                   OR (OCTET_LENGTH(p_idempotency_key) <= 100
                       AND HEX(p_idempotency_key) REGEXP '^([0-7][0-9A-F])*$'),
                   CONVERT(p_idempotency_key USING utf8mb4),
                   _arg_utf8(p_idempotency_key, 'idempotency_key', 100));
    DECLARE v_actor VARCHAR(100)
        DEFAULT IF(CHAR_LENGTH(p_actor) > 100, _arg_text(p_actor, 'actor', 100), p_actor);
    DECLARE v_key VARCHAR(100);
    DECLARE v_posted_at DATETIME DEFAULT NOW();
    DECLARE v_on DATE;
    DECLARE v_payment_id INT UNSIGNED;
    DECLARE v_account_found INT UNSIGNED;
    DECLARE v_amount_found DECIMAL(12,2);
    DECLARE v_accounts INT;
    DECLARE v_closed_on DATE;
    DECLARE v_open INT DEFAULT 0;
    DECLARE v_opened_on DATE;
    DECLARE v_bill_id INT UNSIGNED;
    DECLARE v_customer_id INT UNSIGNED;
    DECLARE v_skip_reason VARCHAR(100);
    DECLARE v_open_money DECIMAL(14,2);
    DECLARE v_rebates_offered INT;
    DECLARE v_duplicate TINYINT DEFAULT 0;
    DECLARE v_receipt_no VARCHAR(20);
    DECLARE v_plan JSON;
    DECLARE v_allocated DECIMAL(12,2);
    DECLARE v_rebates INT DEFAULT 0;
    DECLARE v_unallocated DECIMAL(12,2);
    DECLARE v_balance DECIMAL(12,2);
    DECLARE v_last_entry BIGINT UNSIGNED;
    DECLARE v_since_entry BIGINT UNSIGNED;
    DECLARE v_since_balance DECIMAL(12,2);
    DECLARE v_last_allocation BIGINT UNSIGNED;
    DECLARE v_posting INT UNSIGNED;
    DECLARE v_replayed TINYINT DEFAULT 1;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments that need no lock (one test for the usual case, then each rule in order). Blank
    -- is _is_blank's to say; a text whose first byte is a printable ASCII character other than
    -- the space is not blank, which spares the usual actor and key the function's call (AND
    -- stops at its first false operand; ASCII() reads one byte, cheaper than a REGEXP)
    IF v_amount IS NULL OR v_amount <= 0 OR v_amount > 1000000 OR v_amount <> ROUND(v_amount, 2)
       OR v_method IS NULL OR CAST(v_method AS BINARY) NOT IN ('cash', 'card', 'cheque', 'bank_transfer', 'online')
       OR v_actor IS NULL OR (ASCII(v_actor) NOT BETWEEN 33 AND 126 AND _is_blank(v_actor))
       OR (v_idempotency_key IS NOT NULL AND ASCII(v_idempotency_key) NOT BETWEEN 33 AND 126
           AND _is_blank(v_idempotency_key))
       OR v_account_id IS NULL OR v_paid_at > v_posted_at THEN
        IF v_amount IS NULL OR v_amount <= 0 OR v_amount > 1000000 OR v_amount <> ROUND(v_amount, 2) THEN
            CALL _fail(45020, CONCAT('amount must be above 0, at most 1000000.00 and have at most two decimals, not ',
                                      COALESCE(LEFT(_decimal_text(v_amount, 2), 32), 'NULL')));
        END IF;
        IF v_method IS NULL OR CAST(v_method AS BINARY) NOT IN ('cash', 'card', 'cheque', 'bank_transfer', 'online') THEN
            CALL _fail(45002, CONCAT('method must be cash, card, cheque, bank_transfer or online, not ',
                                      COALESCE(CONCAT('''', LEFT(v_method, 40), ''''), 'NULL')));
        END IF;
        IF _is_blank(v_actor) THEN
            CALL _fail(45002, 'actor is required');
        END IF;
        IF v_idempotency_key IS NOT NULL AND _is_blank(v_idempotency_key) THEN
            CALL _fail(45002, 'idempotency_key must be NULL or 1 to 100 characters, not blank');
        END IF;
        IF v_account_id IS NULL THEN
            CALL _fail(45002, 'account_id is required');
        END IF;
        CALL _fail(45002, CONCAT('paid_at ', v_paid_at, ' is in the future (now is ', v_posted_at, ')'));
    END IF;
    SET v_key = COALESCE(v_idempotency_key, CONCAT('auto:', UUID())),
        v_on = DATE(v_paid_at),
        @billing_actor = v_actor;              -- the audit triggers read it

    START TRANSACTION;
    -- lock order: the account row, then its open bills (one statement: a nested loop from the
    -- account's primary key to this account's bills, FORCE INDEX so that no other account's bill
    -- is locked), then payments. It also sums what the open bills need (their open amount less
    -- a rebate on offer on the payment date: billing-rules.md, Payments) and counts the rebates
    -- on offer; a payment allocates min(amount, that sum), whatever the order of the bills
    SELECT COUNT(a.account_id), MAX(a.customer_id), MAX(a.closed_on), MAX(a.opened_on),
           COUNT(b.bill_id), MAX(b.bill_id),
           SUM(b.total_amount - b.amount_paid
               - IF(v_on <= b.rebate_date AND b.rebate_granted = 0 AND b.rebate_amount > 0
                    AND b.total_amount - b.amount_paid > b.rebate_amount, b.rebate_amount, 0)),
           COALESCE(SUM(v_on <= b.rebate_date AND b.rebate_granted = 0 AND b.rebate_amount > 0
                        AND b.total_amount - b.amount_paid > b.rebate_amount), 0)
      INTO v_accounts, v_customer_id, v_closed_on, v_opened_on, v_open, v_bill_id, v_open_money,
           v_rebates_offered
      FROM account a
      LEFT JOIN bill b FORCE INDEX (ix_bill_open_account) ON b.open_account_id = a.account_id
     WHERE a.account_id = v_account_id
       FOR UPDATE;
    IF v_accounts = 0 OR (v_closed_on IS NOT NULL AND v_open = 0) OR v_on < v_opened_on THEN
        -- no new payment here: a closed account accepts payments while it has money open, and
        -- none is dated before the account opened (billing-rules.md). A replay is answered all
        -- the same: the key decides (a retry that changed paid_at, an account closed since; or
        -- the key was used for another account: 45022 below)
        SELECT MAX(payment_id) INTO v_payment_id FROM payment WHERE idempotency_key = v_key;
        IF v_payment_id IS NULL AND v_accounts = 0 THEN
            CALL _fail(45001, CONCAT('no account with id ', v_account_id));
        END IF;
        IF v_payment_id IS NULL AND v_closed_on IS NOT NULL AND v_open = 0 THEN
            CALL _fail(45021, CONCAT('account ', v_account_id, ' is closed (since ', v_closed_on, ') and has no money open'));
        END IF;
        IF v_payment_id IS NULL THEN
            CALL _fail(45002, CONCAT('paid_at ', v_paid_at, ' is before the account opened on ', v_opened_on));
        END IF;
        ROLLBACK;
    ELSE
        IF v_rebates_offered > 0 THEN
            -- a rebate on offer: the shared plan decides which are granted (and the rebate
            -- lines' numbers); it reads the bills locked above
            CALL _allocation_plan(v_account_id, v_amount, v_on, v_plan, v_allocated, v_rebates);
        END IF;
        SET v_allocated = COALESCE(v_allocated, LEAST(v_amount, COALESCE(v_open_money, 0)));

        BEGIN
            -- the key used before (committed, or committed while we waited on it)
            DECLARE CONTINUE HANDLER FOR 1062 SET v_duplicate = 1;
            INSERT INTO payment (account_id, amount, method, paid_at, posted_at, idempotency_key,
                                 amount_allocated, posted_by)
            VALUES (v_account_id, v_amount, v_method, v_paid_at, v_posted_at, v_key,
                    v_allocated, v_actor);
        END;

        IF v_duplicate = 1 THEN
            ROLLBACK;                          -- nothing of ours was written
            SELECT MAX(payment_id) INTO v_payment_id FROM payment WHERE idempotency_key = v_key;
        ELSE
            SET v_payment_id = LAST_INSERT_ID(), v_replayed = 0;
            INSERT INTO ledger_entry (account_id, entry_type, amount, payment_id, entry_date, actor)
            VALUES (v_account_id, 'payment', -v_amount, v_payment_id, v_on, v_actor);
            -- the collections report's figures (report_collections_part, migration 0121)
            INSERT INTO report_collections_part (day, cashier, method, payments, amount)
            VALUES (v_on, v_actor, v_method, 1, v_amount);
            IF v_plan IS NOT NULL THEN
                CALL _apply_allocation(v_payment_id, v_account_id, v_plan, v_rebates, v_on, v_actor);
            ELSEIF v_allocated > 0 AND v_open = 1 THEN
                -- no rebate on offer and one open bill (most accounts): it gets the allocation
                INSERT INTO payment_allocation (payment_id, bill_id, amount)
                VALUES (v_payment_id, v_bill_id, v_allocated);
                UPDATE bill SET amount_paid = amount_paid + v_allocated WHERE bill_id = v_bill_id;
            ELSEIF v_allocated > 0 THEN
                -- no rebate on offer, several open bills: the money goes to the open bills by due date, then bill
                -- id, each getting min(what is left, its open amount) (a window running sum
                -- over the bills locked above, read again through the same index)
                INSERT INTO payment_allocation (payment_id, bill_id, amount)
                SELECT v_payment_id, p.bill_id, p.alloc
                  FROM (SELECT b.bill_id, b.seq,
                               LEAST(b.open_amount, v_amount - (b.running - b.open_amount)) AS alloc
                          FROM (SELECT bill_id, total_amount - amount_paid AS open_amount,
                                       ROW_NUMBER() OVER (ORDER BY due_date, bill_id) AS seq,
                                       SUM(total_amount - amount_paid) OVER (ORDER BY due_date, bill_id
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
                                  FROM bill FORCE INDEX (ix_bill_open_account)
                                 WHERE open_account_id = v_account_id) b) p
                 WHERE p.alloc > 0
                 ORDER BY p.seq;
                -- the bills' cached amount paid: the same plan (the bills are unchanged until
                -- this statement; the derived table is made before any row is updated), to
                -- each bill by its primary key
                UPDATE (SELECT b.bill_id,
                               LEAST(b.open_amount, v_amount - (b.running - b.open_amount)) AS alloc
                          FROM (SELECT bill_id, total_amount - amount_paid AS open_amount,
                                       SUM(total_amount - amount_paid) OVER (ORDER BY due_date, bill_id
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
                                  FROM bill FORCE INDEX (ix_bill_open_account)
                                 WHERE open_account_id = v_account_id) b) p
                  STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = p.bill_id
                   SET b.amount_paid = b.amount_paid + p.alloc
                 WHERE p.alloc > 0;
            END IF;
            -- the balance as of this posting and where it ends in the append-only rows
            -- (payment_posting, read by v_receipt: the receipt as posted), the notice's skip
            -- reason. Plain reads (everything of the account is locked; the snapshot is taken
            -- here, after the lock), then INSERT ... VALUES: an INSERT ... SELECT would take
            -- shared next-key locks on the index it reads and deadlock with other accounts'
            -- postings (seen in test_payment_concurrency). The balance starts from the
            -- account's previous posting (payment_posting.balance_after at its last_entry_id,
            -- migration 0116: exact, as the ledger is append-only and written under the
            -- account lock) and adds the entries after it; without one, the whole ledger
            SELECT MAX(pp.last_entry_id), MAX(pp.balance_after),
                   (SELECT MAX(allocation_id) FROM payment_allocation WHERE payment_id = v_payment_id),
                   (SELECT _notice_skip_reason('payment_received', c.email, cp.email_bills,
                                               cp.email_reminders)
                      FROM customer c LEFT JOIN contact_preference cp ON cp.customer_id = c.customer_id
                     WHERE c.customer_id = v_customer_id)
              INTO v_since_entry, v_since_balance, v_last_allocation, v_skip_reason
              FROM payment_posting pp
             WHERE pp.payment_id = (SELECT MAX(payment_id) FROM payment
                                     WHERE account_id = v_account_id AND payment_id < v_payment_id);
            SELECT COALESCE(v_since_balance, 0) + SUM(amount), MAX(entry_id)
              INTO v_balance, v_last_entry
              FROM ledger_entry
             WHERE account_id = v_account_id
               AND entry_id > IF(v_since_balance IS NULL, 0, v_since_entry);
            INSERT INTO payment_posting (payment_id, last_allocation_id, last_entry_id, balance_after)
            VALUES (v_payment_id, v_last_allocation, v_last_entry, v_balance);
            -- the notice (as _queue_notice writes it: pending, or skipped with the reason)
            INSERT INTO notice (kind, customer_id, account_id, payment_id, status, skip_reason)
            VALUES ('payment_received', v_customer_id, v_account_id, v_payment_id,
                    IF(v_skip_reason IS NULL, 'pending', 'skipped'), v_skip_reason);
            -- the audit event (as _audit writes it; the actor is not blank, checked above)
            INSERT INTO audit_log (table_name, row_key, account_id, action, old_values, new_values,
                                   actor, db_user)
            VALUES ('payment', v_payment_id, v_account_id, 'payment_posted', NULL,
                    JSON_OBJECT('amount', CAST(v_amount AS DECIMAL(12,2)), 'method', v_method,
                                'paid_at', v_paid_at, 'idempotency_key', v_key,
                                'allocated', v_allocated),
                    v_actor, LEFT(USER(), 100));
            COMMIT;
            SET v_receipt_no = receipt_no(v_payment_id, v_posted_at),
                v_unallocated = v_amount - v_allocated;
        END IF;
    END IF;

    IF v_replayed = 1 THEN
        -- the first call's answer as it was then (billing-rules.md, Payments): the posting's
        -- own rows end at payment_posting's positions (v_receipt reads the same); a payment
        -- posted before those positions were recorded (migration 0050) answers with its state
        -- now. Read from one snapshot.
        START TRANSACTION READ ONLY;
        SELECT p.account_id, p.amount, receipt_no(p.payment_id, p.posted_at), p.amount_allocated,
               IF(p.status = 'posted', p.amount - p.amount_allocated - p.amount_refunded, 0),
               pp.payment_id, pp.last_allocation_id, pp.last_entry_id
          INTO v_account_found, v_amount_found, v_receipt_no, v_allocated, v_unallocated,
               v_posting, v_last_allocation, v_last_entry
          FROM payment p
          LEFT JOIN payment_posting pp ON pp.payment_id = p.payment_id
         WHERE p.payment_id = v_payment_id;
        IF v_posting IS NULL THEN
            SELECT COALESCE(SUM(amount), 0) INTO v_balance FROM ledger_entry WHERE account_id = v_account_found;
        ELSE
            SELECT COALESCE(SUM(amount), 0) INTO v_allocated FROM payment_allocation
             WHERE payment_id = v_payment_id AND allocation_id <= COALESCE(v_last_allocation, 0);
            SET v_unallocated = v_amount_found - v_allocated;
            SELECT COALESCE(SUM(amount), 0) INTO v_balance FROM ledger_entry
             WHERE account_id = v_account_found AND entry_id <= v_last_entry;
        END IF;
        COMMIT;
        IF NOT (v_account_found <=> v_account_id AND v_amount_found <=> v_amount) THEN
            CALL _fail(45022, CONCAT('idempotency_key ''', LEFT(v_key, 32), ''' was used for payment ', v_payment_id,
                                      ' of account ', v_account_found, ', amount ', v_amount_found));
        END IF;
        -- a replay changes no money, but who asked again is audited (its own statement), and
        -- committed: a caller without autocommit would hold it in its open transaction, and lose
        -- it when that rolls back (found by a race probe)
        CALL _audit('payment_replayed', 'payment', v_payment_id, v_account_id,
                    JSON_OBJECT('amount', CAST(v_amount AS DECIMAL(12,2)), 'method', v_method,
                                'idempotency_key', v_key),
                    v_actor);
        COMMIT;
    END IF;

    SELECT v_payment_id AS payment_id, v_receipt_no AS receipt_no, v_allocated AS allocated,
           v_unallocated AS unallocated, v_balance AS balance_after, v_replayed AS replayed;
END
