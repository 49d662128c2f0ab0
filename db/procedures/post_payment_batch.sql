-- post_payment_batch: posts the pending lines of a staged payment batch (stage_payment_batch).
-- Every line ends exactly as post_payment, called line by line in line order with the line's
-- values and p_actor, would have ended it: posted (same payment, allocations, rebates, ledger,
-- audit event), replayed (its key was used before for the same account and amount: the first
-- payment is its payment) or refused (post_payment's errno and message recorded on the line,
-- not signalled). Receipt numbers follow line order. Posting a batch again posts nothing twice:
-- only pending lines are posted, and a line's outcome is written in the transaction of its
-- payment.
--
-- Parameters
--   p_batch_id  the batch
--   p_actor     who posts (staff:<username>, batch:<job>): the payments' posted_by
-- Result (one row): batch_id, posted, replayed, refused (the batch's lines in each outcome,
--   all postings of the batch counted), amount_posted (the money of its posted lines)
-- Errors
--   45001 no batch with that id              45002 actor empty
--   A server error (a deadlock, a lock wait timeout) rolls back the chunk being posted and is
--   signalled; the chunks before it stay posted, and calling again posts the rest.
-- Transactions and locks: one transaction per chunk of up to 1000 pending lines (in line
-- order). A chunk locks the batch row, then every account of its lines in account id order
-- (one primary-key lookup each), then posts its lines one by one in line order (each line locks its account's
-- bills and its payment, the contract's order), then commits. So a payment of an account of
-- the batch waits at most for one chunk, and other accounts never wait for it.
-- Why a loop over the lines: a line's outcome depends on every line before it (several lines of
-- one account share its open bills and credit; a key used by an earlier line makes a later one
-- a replay or a 45022; a refusal depends on the line's text), so each line goes through
-- _post_batch_line, which is post_payment's posting with the same allocation helpers
-- (_allocation_plan, _apply_allocation) inside the chunk's transaction. A set-based path for
-- the common case (one valid line per account in a chunk, no key used before) is not written
-- yet (issue 24 §2).
-- Example: CALL post_payment_batch(3, 'batch:lockbox');
CREATE PROCEDURE post_payment_batch(IN p_batch_id LONGTEXT,
                                    IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_batch_id INT UNSIGNED DEFAULT _arg_int(p_batch_id, 'batch_id', 0, 4294967295, 45001);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_chunk INT UNSIGNED DEFAULT 1000;
    DECLARE v_found INT UNSIGNED;
    DECLARE v_first INT UNSIGNED;
    DECLARE v_last INT UNSIGNED;
    DECLARE v_line INT UNSIGNED;
    DECLARE v_ids LONGTEXT;
    DECLARE v_locked INT UNSIGNED;
    DECLARE v_pos INT UNSIGNED;
    DECLARE v_end INT UNSIGNED;
    DECLARE v_account_no VARCHAR(1000);
    DECLARE v_amount VARCHAR(1000);
    DECLARE v_method VARCHAR(1000);
    DECLARE v_paid_at VARCHAR(1000);
    DECLARE v_key VARBINARY(4000);
    DECLARE v_errno INT;
    DECLARE v_message VARCHAR(512);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF v_actor IS NULL OR TRIM(v_actor) = '' THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_batch_id IS NULL THEN
        CALL _fail(45001, 'batch_id is required');
    END IF;
    SELECT COUNT(*) INTO v_found FROM payment_batch WHERE batch_id = v_batch_id;
    IF v_found = 0 THEN
        CALL _fail(45001, CONCAT('no payment batch with id ', v_batch_id));
    END IF;
    SET @billing_actor = v_actor;              -- the audit triggers read it
    SET SESSION group_concat_max_len = 1048576;

    chunks: LOOP
        START TRANSACTION;
        -- the batch row first: two postings of one batch queue chunk by chunk
        SELECT COUNT(*) INTO v_found FROM payment_batch WHERE batch_id = v_batch_id FOR UPDATE;
        SELECT MIN(line_no) INTO v_first FROM payment_batch_line
         WHERE batch_id = v_batch_id AND outcome = 'pending';
        IF v_first IS NULL THEN
            COMMIT;
            LEAVE chunks;
        END IF;
        SELECT MAX(line_no) INTO v_last FROM (
            SELECT line_no FROM payment_batch_line
             WHERE batch_id = v_batch_id AND outcome = 'pending' AND line_no >= v_first
             ORDER BY line_no LIMIT 1000) c;
        -- the chunk's accounts, locked in account id order, one primary-key lookup each (a
        -- join of the id list with account may be planned as a scan, which locks every account
        -- it reads: seen with a small account table)
        SELECT GROUP_CONCAT(DISTINCT a.account_id ORDER BY a.account_id SEPARATOR ',') INTO v_ids
          FROM payment_batch_line l JOIN account a ON a.account_no = l.account_no
         WHERE l.batch_id = v_batch_id AND l.line_no BETWEEN v_first AND v_last
           AND l.outcome = 'pending';
        SET v_pos = 1;
        WHILE v_pos <= CHAR_LENGTH(v_ids) DO
            SET v_end = LOCATE(',', v_ids, v_pos);
            IF v_end = 0 THEN
                SET v_end = CHAR_LENGTH(v_ids) + 1;
            END IF;
            SELECT COUNT(*) INTO v_locked FROM account
             WHERE account_id = CAST(SUBSTRING(v_ids, v_pos, v_end - v_pos) AS UNSIGNED)
               FOR UPDATE;
            SET v_pos = v_end + 1;
        END WHILE;

        SET v_line = v_first;
        WHILE v_line <= v_last DO
            SET v_found = 0;
            SELECT COUNT(*), MAX(account_no), MAX(amount_text), MAX(method), MAX(paid_at),
                   MAX(idempotency_key)
              INTO v_found, v_account_no, v_amount, v_method, v_paid_at, v_key
              FROM payment_batch_line
             WHERE batch_id = v_batch_id AND line_no = v_line AND outcome = 'pending';
            IF v_found = 1 THEN
                BEGIN
                    -- a contract error of the line: undo whatever of it was written, record it
                    DECLARE EXIT HANDLER FOR SQLSTATE '45000'
                    BEGIN
                        GET DIAGNOSTICS CONDITION 1 v_errno = MYSQL_ERRNO, v_message = MESSAGE_TEXT;
                        ROLLBACK TO SAVEPOINT batch_line;
                        UPDATE payment_batch_line
                           SET outcome = 'refused', errno = v_errno, message = v_message,
                               done_at = NOW()
                         WHERE batch_id = v_batch_id AND line_no = v_line;
                    END;
                    SAVEPOINT batch_line;
                    CALL _post_batch_line(v_batch_id, v_line, v_account_no, v_amount, v_method,
                                          v_paid_at, CONVERT(v_key USING utf8mb4), v_actor);
                END;
            END IF;
            SET v_line = v_line + 1;
        END WHILE;
        COMMIT;
    END LOOP;

    START TRANSACTION;
    UPDATE payment_batch SET status = 'posted', posted_by = v_actor, posted_at = NOW()
     WHERE batch_id = v_batch_id AND status = 'open'
       AND NOT EXISTS (SELECT 1 FROM payment_batch_line
                        WHERE batch_id = v_batch_id AND outcome = 'pending');
    CALL _audit('payment_batch_posted', 'payment_batch', v_batch_id, NULL,
                (SELECT JSON_OBJECT('posted', SUM(outcome = 'posted'),
                                    'replayed', SUM(outcome = 'replayed'),
                                    'refused', SUM(outcome = 'refused'))
                   FROM payment_batch_line WHERE batch_id = v_batch_id), v_actor);
    COMMIT;

    SELECT v_batch_id AS batch_id,
           COALESCE(SUM(l.outcome = 'posted'), 0) AS posted,
           COALESCE(SUM(l.outcome = 'replayed'), 0) AS replayed,
           COALESCE(SUM(l.outcome = 'refused'), 0) AS refused,
           CAST(COALESCE(SUM(IF(l.outcome = 'posted', p.amount, 0)), 0) AS DECIMAL(14,2)) AS amount_posted
      FROM payment_batch_line l
      LEFT JOIN payment p ON p.payment_id = l.payment_id
     WHERE l.batch_id = v_batch_id;
END
