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
--   45001 no batch with that id              45002 batch_id NULL or malformed; actor blank
--                                                  (_is_blank), as post_payment refuses it
--   A server error (a deadlock, a lock wait timeout) rolls back the chunk being posted and is
--   signalled; the chunks before it stay posted, and calling again posts the rest.
-- Transactions and locks: one transaction per chunk of up to 1000 pending lines in line order
-- (READ COMMITTED, or REPEATABLE READ where the binary log is statement-based, as the billing
-- run's chunks). A chunk locks the batch row, then every account of its lines in account id
-- order (one statement, the accounts from a table scanned in that order), then posts its lines
-- in line order (each line's bills after its account, the contract's order), then commits. So a
-- payment of an account of the batch waits at most for one chunk, and other accounts never
-- wait for it.
-- How the lines are posted: a line whose outcome depends on no other line of the chunk, a
-- "plain" line, is posted set-based (_post_batch_segment: a dozen statements for a run of
-- consecutive plain lines, whatever its length). A line is plain when it is the only line of
-- the chunk for its account and for its idempotency key, it is not malformed (a value of the
-- wrong JSON type, migration 0137), its key (printable ASCII, or none) was not used before, its
-- account_no is an open account's number byte for byte, its method one of the five byte for
-- byte, its amount ('120', '120.5', '120.50'; up to 1000000) and paid_at (none, 'YYYY-MM-DD' or
-- 'YYYY-MM-DD HH:MM:SS') in their plain forms (nothing else: no space, no line break), whose
-- conversions below give exactly what post_payment's _arg_decimal and _arg_datetime give, and
-- paid_at neither in the future nor before the account opened. Every other line
-- (several lines of one account share its bills and credit; a key used by an earlier line makes
-- a later one a replay or a 45022; a refusal depends on the line's text) goes through
-- _post_batch_line one by one: post_payment's posting with the same allocation helpers inside
-- the chunk's transaction. Runs and single lines are posted in line order, so payment ids,
-- receipt numbers, ledger entries, notices and audit events follow line order, as posting
-- line by line would order them (ids may have gaps: receipt numbers allow them).
-- Both ways compare a line's method and account_no as bytes, as post_payment compares its method:
-- 'CASH', 'cash ' and 'Cash' are refused (45002, post_payment's message); an account_no that is
-- an account's number only when case or trailing spaces are ignored ('a0001935', 'A0001935 ') is
-- no account's number (45001 "no account with number '...'", as for any unknown number). A
-- malformed line (a value of the wrong JSON type) goes one by one and _post_batch_line refuses it
-- with 45002 naming the field, before anything else.
-- The batch's kept figures (payment_batch.pending_count, posted_count, replayed_count,
-- refused_count, amount_posted: migration 0129) are updated by one statement at the end of each
-- chunk, from the chunk's lines, in the chunk's transaction (on the batch row it holds).
-- @payment_batch_chunk (1 to 10000, default 1000) sets the chunk size; tests use it.
CREATE PROCEDURE post_payment_batch(IN p_batch_id LONGTEXT,
                                    IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_batch_id INT UNSIGNED DEFAULT _arg_int(p_batch_id, 'batch_id', 0, 4294967295, 45001);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_chunk INT UNSIGNED
        DEFAULT IF(@payment_batch_chunk BETWEEN 1 AND 10000, @payment_batch_chunk, 1000);
    -- READ COMMITTED unless the binary log is statement-based (which refuses it for InnoDB writes)
    DECLARE v_read_committed TINYINT
        DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE v_found INT UNSIGNED;
    DECLARE v_first INT UNSIGNED;
    DECLARE v_last INT UNSIGNED;
    DECLARE v_line INT UNSIGNED;
    DECLARE v_plain TINYINT;
    DECLARE v_run_end INT UNSIGNED;
    DECLARE v_posted TINYINT;
    DECLARE v_locked INT UNSIGNED;
    DECLARE v_account_no VARCHAR(1000);
    DECLARE v_amount VARCHAR(1000);
    DECLARE v_method VARCHAR(1000);
    DECLARE v_paid_at VARCHAR(1000);
    DECLARE v_key VARBINARY(4000);
    DECLARE v_malformed VARCHAR(64);
    DECLARE v_errno INT;
    DECLARE v_message VARCHAR(512);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_batch_id IS NULL THEN
        CALL _fail(45002, 'batch_id is required');
    END IF;
    SELECT COUNT(*) INTO v_found FROM payment_batch WHERE batch_id = v_batch_id;
    IF v_found = 0 THEN
        CALL _fail(45001, CONCAT('no payment batch with id ', v_batch_id));
    END IF;
    SET @billing_actor = v_actor;              -- the audit triggers read it
    CALL _new_batch_work();
    -- a transaction the caller left open (a client without autocommit) ends here, as the
    -- START TRANSACTION below would end it; the isolation level can be set only between them
    COMMIT;

    chunks: LOOP
        IF v_read_committed THEN
            SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
        END IF;
        START TRANSACTION;
        -- the batch row first: two postings of one batch queue chunk by chunk
        SELECT COUNT(*) INTO v_found FROM payment_batch WHERE batch_id = v_batch_id FOR UPDATE;
        SELECT MIN(line_no) INTO v_first FROM payment_batch_line
         WHERE batch_id = v_batch_id AND outcome = 'pending';
        IF v_first IS NULL THEN
            COMMIT;
            LEAVE chunks;
        END IF;

        -- the chunk: its pending lines, their accounts (by number, as post_payment's caller
        -- would look them up) and what of them needs no lock to judge
        DELETE FROM batch_window;
        INSERT INTO batch_window (line_no, account_id, plain, amount, method, paid_at, pay_key)
        SELECT c.line_no, c.account_id,
               COALESCE(c.account_id IS NOT NULL AND c.same_account = 1 AND c.malformed IS NULL
               AND c.amount > 0 AND c.amount <= 1000000 AND c.method_ok = 1
               AND c.paid_at IS NOT NULL AND c.paid_at <= NOW()
               AND (c.idempotency_key IS NULL
                    OR (c.key_ok = 1 AND c.same_key = 1
                        AND NOT EXISTS (SELECT 1 FROM payment p
                                         WHERE p.idempotency_key = c.idempotency_key))), 0),
               c.amount, IF(c.method_ok = 1, c.method, NULL), c.paid_at,
               CASE WHEN c.idempotency_key IS NULL THEN CONCAT('auto:', UUID())
                    WHEN c.key_ok = 1 THEN CONVERT(c.idempotency_key USING ascii)
               END
          FROM (SELECT l.line_no, a.account_id, l.method, l.idempotency_key, l.malformed,
                       COUNT(*) OVER (PARTITION BY a.account_id) AS same_account,
                       COUNT(*) OVER (PARTITION BY l.idempotency_key) AS same_key,
                       -- the plain amount: digits, no sign, spaces or leading zero, at most
                       -- two decimals (exactly the value _arg_decimal gives). Only digits and a
                       -- point: the regular expression's $ also matches before a final line
                       -- break, which _arg_decimal refuses
                       CASE WHEN l.amount_text REGEXP '^(0|[1-9][0-9]{0,6})([.][0-9]{1,2})?$'
                                 AND NOT l.amount_text REGEXP '[^.0-9]'
                            THEN CAST(l.amount_text AS DECIMAL(12,2)) END AS amount,
                       CAST(l.method AS BINARY) IN ('cash', 'card', 'cheque', 'bank_transfer',
                                                    'online') AS method_ok,
                       -- the plain date: 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS', a calendar day
                       -- (the day checked against its month before any conversion: no warning);
                       -- nothing but digits, '-', ':' and one space (no final line break)
                       CASE WHEN l.paid_at IS NULL THEN NOW()
                            WHEN l.paid_at REGEXP '[^-0-9 :]' THEN NULL
                            WHEN NOT l.paid_at REGEXP CONCAT('^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-',
                                     '(0[1-9]|[12][0-9]|3[01])( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$')
                                 THEN NULL
                            WHEN CAST(SUBSTRING(l.paid_at, 9, 2) AS UNSIGNED)
                                 > DAY(LAST_DAY(CONCAT(LEFT(l.paid_at, 8), '01'))) THEN NULL
                            ELSE CAST(l.paid_at AS DATETIME) END AS paid_at,
                       LENGTH(l.idempotency_key) <= 100
                       AND HEX(l.idempotency_key) REGEXP '^([2-7][0-9A-F])+$'
                       AND NOT HEX(l.idempotency_key) REGEXP '^(20)+$' AS key_ok
                  FROM (SELECT line_no, account_no, amount_text, method, paid_at, idempotency_key,
                               malformed
                          FROM payment_batch_line
                         WHERE batch_id = v_batch_id AND outcome = 'pending' AND line_no >= v_first
                         ORDER BY line_no
                         LIMIT v_chunk) l
                  -- the account whose number it is, byte for byte (as _post_batch_line finds it)
                  LEFT JOIN account a ON a.account_no = l.account_no
                        AND CAST(a.account_no AS BINARY) = CAST(l.account_no AS BINARY)) c;
        SELECT MAX(line_no) INTO v_last FROM batch_window;

        -- the chunk's accounts, locked in account id order
        DELETE FROM batch_account;
        INSERT INTO batch_account (account_id)
        SELECT DISTINCT account_id FROM batch_window WHERE account_id IS NOT NULL;
        SELECT COUNT(*) INTO v_locked
          FROM batch_account b
          STRAIGHT_JOIN account a FORCE INDEX (PRIMARY) ON a.account_id = b.account_id
           FOR UPDATE;
        -- what needs the lock to judge: the account open, paid_at not before it opened
        UPDATE batch_window w
          STRAIGHT_JOIN account a FORCE INDEX (PRIMARY) ON a.account_id = w.account_id
           SET w.plain = 0
         WHERE w.plain = 1 AND (a.closed_on IS NOT NULL OR DATE(w.paid_at) < a.opened_on);

        SET v_line = v_first;
        WHILE v_line IS NOT NULL DO
            SELECT plain INTO v_plain FROM batch_window WHERE line_no = v_line;
            SET v_posted = 0;
            IF v_plain = 1 THEN
                -- the run of plain lines from here, set-based
                SELECT COALESCE(MIN(line_no) - 1, v_last) INTO v_run_end
                  FROM batch_window WHERE line_no > v_line AND plain = 0;
                CALL _post_batch_segment(v_batch_id, v_line, v_run_end, v_actor, v_posted);
                IF v_posted = 0 THEN
                    -- a key taken meanwhile by another session: these lines one by one
                    UPDATE batch_window SET plain = 0 WHERE line_no BETWEEN v_line AND v_run_end;
                ELSE
                    SET v_line = v_run_end;
                END IF;
            END IF;
            IF v_posted = 0 THEN
                -- one line, post_payment's way
                SELECT account_no, amount_text, method, paid_at, idempotency_key, malformed
                  INTO v_account_no, v_amount, v_method, v_paid_at, v_key, v_malformed
                  FROM payment_batch_line
                 WHERE batch_id = v_batch_id AND line_no = v_line;
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
                                          v_paid_at, CONVERT(v_key USING utf8mb4), v_malformed,
                                          v_actor);
                END;
            END IF;
            SET v_line = (SELECT MIN(line_no) FROM batch_window WHERE line_no > v_line);
        END WHILE;
        -- the batch's kept figures (migration 0129): the chunk's lines, all pending when the
        -- chunk began (read under the batch row's lock), leave pending for their outcomes
        UPDATE payment_batch b
          JOIN (SELECT COALESCE(SUM(l.outcome = 'posted'), 0) AS posted,
                       COALESCE(SUM(l.outcome = 'replayed'), 0) AS replayed,
                       COALESCE(SUM(l.outcome = 'refused'), 0) AS refused,
                       COALESCE(SUM(p.amount), 0) AS amount_posted
                  FROM batch_window w
                  STRAIGHT_JOIN payment_batch_line l FORCE INDEX (PRIMARY)
                    ON l.batch_id = v_batch_id AND l.line_no = w.line_no
                  LEFT JOIN payment p ON p.payment_id = l.payment_id AND l.outcome = 'posted') s
           SET b.pending_count = b.pending_count - s.posted - s.replayed - s.refused,
               b.posted_count = b.posted_count + s.posted,
               b.replayed_count = b.replayed_count + s.replayed,
               b.refused_count = b.refused_count + s.refused,
               b.amount_posted = b.amount_posted + s.amount_posted
         WHERE b.batch_id = v_batch_id;
        COMMIT;
    END LOOP;

    -- the batch's end, its audit event and the answer read the kept figures of its row
    -- (migration 0129; v_ledger_integrity's payment_batch check recounts them from the lines),
    -- not its lines again (0.14 s for 100,000 lines)
    START TRANSACTION;
    UPDATE payment_batch SET status = 'posted', posted_by = v_actor, posted_at = NOW()
     WHERE batch_id = v_batch_id AND status = 'open' AND pending_count = 0;
    CALL _audit('payment_batch_posted', 'payment_batch', v_batch_id, NULL,
                (SELECT JSON_OBJECT('posted', posted_count, 'replayed', replayed_count,
                                    'refused', refused_count)
                   FROM payment_batch WHERE batch_id = v_batch_id), v_actor);
    COMMIT;

    SELECT batch_id, posted_count AS posted, replayed_count AS replayed,
           refused_count AS refused, amount_posted
      FROM payment_batch
     WHERE batch_id = v_batch_id;
END
