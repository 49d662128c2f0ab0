-- refund_credit: pays an account's unallocated credit back to the customer
-- (../shared/spec/billing-rules.md, "Refunds").
--
-- The refund is taken from the account's posted payments with unallocated credit, in payment id
-- order (one refund_part row per payment; payment.amount_refunded caches their sum, and the
-- refunded part of a payment is used money like an allocation). The ledger is debited the
-- amount (entry type 'refund', dated today). A payment with refunded money can no longer be
-- reversed (reverse_payment: 45003). A closed account may be refunded too.
-- Idempotency: the key is compared byte for byte (refund.idempotency_key is VARBINARY) and is
-- a namespace of its own (a refund key never matches a payment key). The same key with the same
-- account and amount answers the first refund (refund_id, amount; balance_after as it is now)
-- and writes nothing (replayed = 1); with another account or amount it is 45022.
--
-- Parameters (LONGTEXT, the key LONGBLOB, whatever the caller sends; converted by the _arg_*
-- functions at the top)
--   p_account_id       the account
--   p_amount           above 0, at most 1,000,000.00, at most two decimals
--   p_method           cheque, bank_transfer or card (exactly, lower case)
--   p_idempotency_key  the caller's key: UTF-8 text of 1..100 characters, not blank (_is_blank);
--                      NULL means the procedure makes one ('auto:' + a UUID), i.e. no replay
--                      protection. Bytes (LONGBLOB), as post_payment's: they arrive as sent and
--                      bytes that are not UTF-8 are refused (_arg_utf8), never turned into '?'
--   p_actor            who acts (staff:<username>, batch:<job>)
-- Result (one row): refund_id, amount, balance_after (the account's balance right after the
--   refund; negative is credit), replayed (0 new, 1 answered from the key)
-- Errors
--   45001 no account with that id           45002 no account id, bad method, blank actor,
--                                                 blank, long or non-UTF-8 key
--   45020 amount NULL, <= 0, over 1,000,000.00 or with more than two decimals
--   45022 the key was used for another account or amount
--   45024 the amount is above the account's unallocated credit
-- Notices: a new refund writes a refund_paid notice (_queue_notice); a replay none.
-- Audit: a new refund writes a refund_issued event in its transaction (_audit).
-- Locks: the account row, then its payments with credit in payment id order (no bill changes).
-- Two calls racing with the same key: the second waits on the account lock (or the unique key),
-- gets duplicate key 1062 on its INSERT, rolls back and answers as a replay.
-- Example:
--   CALL refund_credit(7, 25.00, 'bank_transfer', 'counter:2026-11-29:0042', 'staff:alice');
CREATE PROCEDURE refund_credit(IN p_account_id LONGTEXT,
                               IN p_amount LONGTEXT,
                               IN p_method LONGTEXT,
                               IN p_idempotency_key LONGBLOB,
                               IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_account_id INT UNSIGNED;
    DECLARE v_amount DECIMAL(30,10);
    DECLARE v_method VARCHAR(100);
    DECLARE v_key_arg VARCHAR(255);
    DECLARE v_actor VARCHAR(100);
    DECLARE v_key VARCHAR(100);
    DECLARE v_accounts INT;
    DECLARE v_credit DECIMAL(14,2);
    DECLARE v_duplicate TINYINT DEFAULT 0;
    DECLARE v_refund_id INT UNSIGNED;
    DECLARE v_account_found INT UNSIGNED;
    DECLARE v_amount_found DECIMAL(12,2);
    DECLARE v_balance DECIMAL(12,2);
    DECLARE v_replayed TINYINT DEFAULT 1;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments, converted and checked before anything is locked
    SET v_account_id = _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001),
        v_amount = _arg_decimal(p_amount, 'amount', 20, 10, 45020),
        v_method = _arg_text(p_method, 'method', 100),
        v_key_arg = _arg_utf8(p_idempotency_key, 'idempotency_key', 255),
        v_actor = _arg_text(p_actor, 'actor', 100);
    IF v_amount IS NULL OR v_amount <= 0 OR v_amount > 1000000 OR v_amount <> ROUND(v_amount, 2) THEN
        CALL _fail(45020, CONCAT('amount must be above 0, at most 1000000.00 and have at most two decimals, not ',
                                  COALESCE(LEFT(_decimal_text(v_amount, 2), 32), 'NULL')));
    END IF;
    IF v_method IS NULL OR CAST(v_method AS BINARY) NOT IN ('cheque', 'bank_transfer', 'card') THEN
        CALL _fail(45002, CONCAT('method must be cheque, bank_transfer or card, not ',
                                  COALESCE(CONCAT('''', LEFT(v_method, 40), ''''), 'NULL')));
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_key_arg IS NOT NULL AND (_is_blank(v_key_arg) OR CHAR_LENGTH(v_key_arg) > 100) THEN
        CALL _fail(45002, 'idempotency_key must be NULL or 1 to 100 characters, not blank');
    END IF;
    IF v_account_id IS NULL THEN
        CALL _fail(45002, 'account_id is required');
    END IF;
    SET v_key = COALESCE(v_key_arg, CONCAT('auto:', UUID()));
    SET @billing_actor = v_actor;              -- the audit triggers read it

    START TRANSACTION;
    -- lock order: the account row, then its payments (no bill is touched)
    SELECT COUNT(*) INTO v_accounts FROM account WHERE account_id = v_account_id FOR UPDATE;
    IF v_accounts = 0 THEN
        -- a key used before for another account is 45022 below, else the account is unknown
        SELECT MAX(refund_id) INTO v_refund_id FROM refund
         WHERE idempotency_key = CAST(v_key AS BINARY);
        IF v_refund_id IS NULL THEN
            CALL _fail(45001, CONCAT('no account with id ', v_account_id));
        END IF;
        ROLLBACK;
    ELSE
        BEGIN
            -- the key used before (committed, or committed while we waited on it)
            DECLARE CONTINUE HANDLER FOR 1062 SET v_duplicate = 1;
            INSERT INTO refund (account_id, amount, method, idempotency_key, refunded_at, actor)
            VALUES (v_account_id, v_amount, v_method, v_key, NOW(), v_actor);
        END;

        IF v_duplicate = 1 THEN
            ROLLBACK;                          -- nothing of ours was written
            SELECT MAX(refund_id) INTO v_refund_id FROM refund
             WHERE idempotency_key = CAST(v_key AS BINARY);
        ELSE
            SET v_refund_id = LAST_INSERT_ID(), v_replayed = 0;
            -- the account's unallocated credit, its payments locked in payment id order
            -- (ix_payment_credit is (credit_account_id, payment_id): locked in that order)
            SELECT COALESCE(SUM(amount - amount_allocated - amount_refunded), 0) INTO v_credit
              FROM payment FORCE INDEX (ix_payment_credit)
             WHERE credit_account_id = v_account_id
               FOR UPDATE;
            IF v_amount > v_credit THEN
                CALL _fail(45024, CONCAT('refund ', LEFT(_decimal_text(v_amount, 2), 32),
                                          ' is above the unallocated credit ', v_credit,
                                          ' of account ', v_account_id));
            END IF;

            -- taken from the payments with credit in payment id order
            INSERT INTO refund_part (refund_id, payment_id, amount)
            SELECT v_refund_id, x.payment_id, x.part
              FROM (SELECT c.payment_id,
                           LEAST(c.credit, v_amount - (SUM(c.credit) OVER w - c.credit)) AS part
                      FROM (SELECT payment_id, amount - amount_allocated - amount_refunded AS credit
                              FROM payment WHERE credit_account_id = v_account_id) c
                    WINDOW w AS (ORDER BY c.payment_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) x
             WHERE x.part > 0
             ORDER BY x.payment_id;
            UPDATE refund_part rp
              STRAIGHT_JOIN payment p FORCE INDEX (PRIMARY) ON p.payment_id = rp.payment_id
               SET p.amount_refunded = p.amount_refunded + rp.amount
             WHERE rp.refund_id = v_refund_id;

            INSERT INTO ledger_entry (account_id, entry_type, amount, refund_id, entry_date, actor)
            VALUES (v_account_id, 'refund', v_amount, v_refund_id, CURRENT_DATE, v_actor);
            CALL _queue_notice('refund_paid', v_account_id, NULL, NULL, v_refund_id);
            SELECT SUM(amount) INTO v_balance FROM ledger_entry WHERE account_id = v_account_id;
            CALL _audit('refund_issued', 'refund', v_refund_id, v_account_id,
                        JSON_OBJECT('amount', CAST(v_amount AS DECIMAL(12,2)), 'method', v_method,
                                    'balance_after', v_balance), v_actor);
            COMMIT;
        END IF;
    END IF;

    IF v_replayed = 1 THEN
        -- the first refund's answer as it was then (keys behave as for payments): the balance
        -- right after its own ledger entry, the last row the refund wrote. One snapshot.
        START TRANSACTION READ ONLY;
        SELECT account_id, amount INTO v_account_found, v_amount_found
          FROM refund WHERE refund_id = v_refund_id;
        SELECT COALESCE(SUM(amount), 0) INTO v_balance FROM ledger_entry
         WHERE account_id = v_account_found
           AND entry_id <= (SELECT MAX(e.entry_id) FROM ledger_entry e WHERE e.refund_id = v_refund_id);
        COMMIT;
        IF NOT (v_account_found <=> v_account_id AND v_amount_found <=> v_amount) THEN
            CALL _fail(45022, CONCAT('idempotency_key ''', LEFT(v_key, 30), ''' was used for refund ', v_refund_id,
                                      ' of account ', v_account_found, ', amount ', v_amount_found));
        END IF;
    END IF;

    SELECT v_refund_id AS refund_id, CAST(v_amount AS DECIMAL(12,2)) AS amount, v_balance AS balance_after,
           v_replayed AS replayed;
END
