-- _post_batch_line: posts one line of a payment batch inside the caller's transaction (internal
-- helper of post_payment_batch), ending it exactly as post_payment would end a call with the
-- line's values: the same checks in the same order with the same errors, the same allocation
-- (the same helpers _allocation_plan and _apply_allocation), the same replay rules, the same
-- payment, ledger and audit rows, the same collections delta (report_collections_part), the same
-- payment_received notice (_queue_notice) and payment_posting row. Only the transaction is the
-- caller's: no START TRANSACTION, COMMIT or ROLLBACK here.
--
-- The caller has started the chunk's transaction and already locked the line's account (the
-- chunk's accounts are locked in account id order first). The line's values arrive as the text
-- received; account_no is looked up byte for byte (post_payment takes the account's id): a
-- number that matches an account's only when case or trailing spaces are ignored ('a0001935',
-- 'A0001935 ') is no account's number, as in post_payment_batch's set-based way. The method is
-- compared as bytes, as post_payment compares it ('CASH' and 'cash ' are refused).
--
-- Parameters
--   p_batch_id, p_line_no  the line (its outcome is written here when it posts or replays)
--   p_account_no, p_amount, p_method, p_paid_at, p_idempotency_key  the line's values, as received
--   p_malformed            the line's first value of the wrong JSON type, as stage_payment_batch
--                          recorded it ('<field> <JSON type>', e.g. 'key object'; migration
--                          0137), or NULL. Such a line is refused with 45002 before anything else
--                          is converted or judged: post_payment can receive no such value
--   p_actor                who posts the batch (the payment's posted_by and the ledger's actor)
-- Result: none (the line's row says what happened).
-- Errors: post_payment's, signalled (45001 no account with that number; 45002 (also: no
--   account_no); 45020; 45021; 45022), before anything is written; the caller records them as
--   the line's refusal.
-- Example: CALL _post_batch_line(3, 17, 'A00000007', '120.50', 'cash', NULL, 'k1', NULL, 'batch:x');
CREATE PROCEDURE _post_batch_line(IN p_batch_id INT UNSIGNED, IN p_line_no INT UNSIGNED,
                                  IN p_account_no LONGTEXT, IN p_amount LONGTEXT,
                                  IN p_method LONGTEXT, IN p_paid_at LONGTEXT,
                                  IN p_idempotency_key LONGTEXT, IN p_malformed VARCHAR(64),
                                  IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the same conversions, in the same order, as post_payment's arguments (none for a
    -- malformed line: its refusal comes first)
    DECLARE v_amount DECIMAL(30,10)
        DEFAULT IF(p_malformed IS NULL, _arg_decimal(p_amount, 'amount', 20, 10, 45020), NULL);
    DECLARE v_method VARCHAR(100)
        DEFAULT IF(p_malformed IS NULL, _arg_text(p_method, 'method', 100), NULL);
    DECLARE v_paid_at DATETIME
        DEFAULT IF(p_malformed IS NULL, COALESCE(_arg_datetime(p_paid_at, 'paid_at'), NOW()), NULL);
    DECLARE v_idempotency_key VARCHAR(100)
        DEFAULT IF(p_malformed IS NULL, _arg_text(p_idempotency_key, 'idempotency_key', 100), NULL);
    -- a malformed line's JSON type in words
    DECLARE v_type_words VARCHAR(20)
        DEFAULT CASE SUBSTRING(p_malformed, LOCATE(' ', p_malformed) + 1)
                    WHEN 'object' THEN 'an object' WHEN 'array' THEN 'an array'
                    WHEN 'boolean' THEN 'true or false' ELSE 'a number' END;
    DECLARE v_key VARCHAR(100);
    DECLARE v_posted_at DATETIME DEFAULT NOW();
    DECLARE v_account_id INT UNSIGNED;
    DECLARE v_payment_id INT UNSIGNED;
    DECLARE v_account_found INT UNSIGNED;
    DECLARE v_amount_found DECIMAL(12,2);
    DECLARE v_closed_on DATE;
    DECLARE v_open INT DEFAULT 0;
    DECLARE v_last_entry BIGINT UNSIGNED;
    DECLARE v_last_allocation BIGINT UNSIGNED;
    DECLARE v_opened_on DATE;
    DECLARE v_duplicate TINYINT DEFAULT 0;
    DECLARE v_plan JSON;
    DECLARE v_allocated DECIMAL(12,2);
    DECLARE v_rebates INT;
    DECLARE v_outcome VARCHAR(10) DEFAULT 'replayed';

    IF p_malformed IS NOT NULL THEN
        -- a value of the wrong JSON type, never coerced (a key {"a": 1} is no missing key)
        CASE SUBSTRING_INDEX(p_malformed, ' ', 1)
            WHEN 'account_no' THEN
                CALL _fail(45002, CONCAT('account_no must be a JSON string, number or null, not ',
                                          v_type_words));
            WHEN 'amount' THEN
                CALL _fail(45002, CONCAT('amount must be a JSON string, number or null, not ',
                                          v_type_words));
            WHEN 'method' THEN
                CALL _fail(45002, CONCAT('method must be a JSON string, number or null, not ',
                                          v_type_words));
            WHEN 'paid_at' THEN
                CALL _fail(45002, CONCAT('paid_at must be a JSON string, number or null, not ',
                                          v_type_words));
            ELSE
                CALL _fail(45002, CONCAT('idempotency_key must be a JSON string or null, not ',
                                          v_type_words));
        END CASE;
    END IF;
    IF v_amount IS NULL OR v_amount <= 0 OR v_amount > 1000000 OR v_amount <> ROUND(v_amount, 2) THEN
        CALL _fail(45020, CONCAT('amount must be above 0, at most 1000000.00 and have at most two decimals, not ',
                                  COALESCE(LEFT(_decimal_text(v_amount, 2), 32), 'NULL')));
    END IF;
    IF v_method IS NULL
       OR CAST(v_method AS BINARY) NOT IN ('cash', 'card', 'cheque', 'bank_transfer', 'online') THEN
        CALL _fail(45002, CONCAT('method must be cash, card, cheque, bank_transfer or online, not ',
                                  COALESCE(CONCAT('''', LEFT(v_method, 40), ''''), 'NULL')));
    END IF;
    -- a key whose first byte is printable ASCII is not blank (post_payment's cheap test first)
    IF v_idempotency_key IS NOT NULL AND ASCII(v_idempotency_key) NOT BETWEEN 33 AND 126
       AND _is_blank(v_idempotency_key) THEN
        CALL _fail(45002, 'idempotency_key must be NULL or 1 to 100 characters, not blank');
    END IF;
    IF p_account_no IS NULL THEN
        CALL _fail(45002, 'account_no is required');
    END IF;
    IF v_paid_at > v_posted_at THEN
        CALL _fail(45002, CONCAT('paid_at ', v_paid_at, ' is in the future (now is ', v_posted_at, ')'));
    END IF;
    SET v_key = COALESCE(v_idempotency_key, CONCAT('auto:', UUID()));

    -- the account (locked by the caller: a plain read sees its latest state), its number byte
    -- for byte (the unique key finds it; the bytes decide)
    SELECT MAX(account_id), MAX(closed_on), MAX(opened_on) INTO v_account_id, v_closed_on, v_opened_on
      FROM account
     WHERE account_no = p_account_no AND CAST(account_no AS BINARY) = CAST(p_account_no AS BINARY);
    IF v_closed_on IS NOT NULL THEN
        -- a closed account accepts payments while it has money open (billing-rules.md)
        SELECT COUNT(*) INTO v_open FROM bill
         WHERE account_id = v_account_id AND cancelled_at IS NULL AND amount_paid < total_amount;
    END IF;
    IF v_account_id IS NULL OR (v_closed_on IS NOT NULL AND v_open = 0)
       OR DATE(v_paid_at) < v_opened_on THEN
        -- no new payment here, but a replay is answered all the same, as post_payment does
        -- (an account closed since, a retry that changed paid_at)
        SELECT MAX(payment_id) INTO v_payment_id FROM payment
         WHERE idempotency_key = v_key LOCK IN SHARE MODE;
        IF v_payment_id IS NULL AND v_account_id IS NULL THEN
            CALL _fail(45001, CONCAT('no account with number ''', LEFT(p_account_no, 40), ''''));
        END IF;
        IF v_payment_id IS NULL AND v_closed_on IS NOT NULL AND v_open = 0 THEN
            CALL _fail(45021, CONCAT('account ', v_account_id, ' is closed (since ', v_closed_on, ') and has no money open'));
        END IF;
        IF v_payment_id IS NULL THEN
            CALL _fail(45002, CONCAT('paid_at ', v_paid_at, ' is before the account opened on ', v_opened_on));
        END IF;
    ELSE
        CALL _allocation_plan(v_account_id, v_amount, DATE(v_paid_at), v_plan, v_allocated, v_rebates);
        SET v_allocated = COALESCE(v_allocated, 0);
        BEGIN
            -- the key used before (by an earlier line, another batch or post_payment): the
            -- failed INSERT wrote nothing (a statement's error undoes the statement only)
            DECLARE CONTINUE HANDLER FOR 1062 SET v_duplicate = 1;
            INSERT INTO payment (account_id, amount, method, paid_at, posted_at, idempotency_key,
                                 amount_allocated, posted_by)
            VALUES (v_account_id, v_amount, v_method, v_paid_at, v_posted_at, v_key,
                    v_allocated, p_actor);
        END;
        IF v_duplicate = 1 THEN
            SELECT MAX(payment_id) INTO v_payment_id FROM payment
             WHERE idempotency_key = v_key LOCK IN SHARE MODE;
        ELSE
            SET v_payment_id = LAST_INSERT_ID(), v_outcome = 'posted';
            INSERT INTO ledger_entry (account_id, entry_type, amount, payment_id, entry_date, actor)
            VALUES (v_account_id, 'payment', -v_amount, v_payment_id, DATE(v_paid_at), p_actor);
            -- the collections report's figures (report_collections_part, migration 0121)
            INSERT INTO report_collections_part (day, cashier, method, payments, amount)
            VALUES (DATE(v_paid_at), p_actor, v_method, 1, v_amount);
            CALL _apply_allocation(v_payment_id, v_account_id, v_plan, v_rebates, DATE(v_paid_at), p_actor);
            CALL _queue_notice('payment_received', v_account_id, NULL, v_payment_id, NULL);
            -- where this posting ends in the append-only rows (read by v_receipt), as post_payment
            SELECT MAX(entry_id) INTO v_last_entry FROM ledger_entry WHERE account_id = v_account_id;
            SELECT MAX(allocation_id) INTO v_last_allocation
              FROM payment_allocation WHERE payment_id = v_payment_id;
            INSERT INTO payment_posting (payment_id, last_allocation_id, last_entry_id)
            VALUES (v_payment_id, v_last_allocation, v_last_entry);
            CALL _audit('payment_posted', 'payment', v_payment_id, v_account_id,
                        JSON_OBJECT('amount', CAST(v_amount AS DECIMAL(12,2)), 'method', v_method,
                                    'paid_at', v_paid_at, 'idempotency_key', v_key,
                                    'allocated', v_allocated, 'batch_id', p_batch_id,
                                    'line_no', p_line_no), p_actor);
        END IF;
    END IF;

    IF v_outcome = 'replayed' THEN
        SELECT account_id, amount INTO v_account_found, v_amount_found
          FROM payment WHERE payment_id = v_payment_id LOCK IN SHARE MODE;
        IF NOT (v_account_found <=> v_account_id AND v_amount_found <=> v_amount) THEN
            CALL _fail(45022, CONCAT('idempotency_key ''', LEFT(v_key, 32), ''' was used for payment ', v_payment_id,
                                      ' of account ', v_account_found, ', amount ', v_amount_found));
        END IF;
        CALL _audit('payment_replayed', 'payment', v_payment_id, v_account_id,
                    JSON_OBJECT('amount', CAST(v_amount AS DECIMAL(12,2)), 'method', v_method,
                                'idempotency_key', v_key, 'batch_id', p_batch_id,
                                'line_no', p_line_no), p_actor);
    END IF;

    UPDATE payment_batch_line
       SET outcome = v_outcome, payment_id = v_payment_id, done_at = v_posted_at
     WHERE batch_id = p_batch_id AND line_no = p_line_no;
END
