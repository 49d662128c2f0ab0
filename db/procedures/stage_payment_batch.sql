-- stage_payment_batch: appends lines of a bank or lockbox file to a payment batch, to be posted
-- by post_payment_batch. Checks only the file's shape; what each line means (account, amount,
-- method, date, key) is judged when it is posted, exactly as post_payment would judge it.
--
-- Parameters
--   p_batch_ref  the caller's name for the file (1 to 100 characters). While a batch of that
--                name is open (not yet posted), the lines are appended to it; else a new batch.
--                Names are compared byte for byte (migration 0136): 'Ref-A', 'REF-A' and
--                'Ref-A ' name three batches
--   p_lines      JSON array of objects {"account_no", "amount", "method", "paid_at", "key"}, as
--                UTF-8 text. Declared LONGBLOB so that its bytes arrive as sent, whatever the
--                session's sql_mode (a LONGTEXT parameter turns bytes that are no UTF-8 into a
--                raw error 1366, or into '?' without strict mode, before the body runs: two keys
--                could become one); they are checked here and then read as utf8mb4 text.
--                Every member may be missing or null (post_payment's NULL). Numbers are read
--                as text (the amount's text is kept as received); each value at most 1000
--                characters. A value of the wrong JSON type (a key that is no string: an object,
--                array, number, true or false; an account_no, amount, method or paid_at that is an
--                object or array) is staged as received (its JSON text) with the line marked
--                malformed (migration 0137): posting refuses that line with 45002 and says which
--                field; it is never coerced (a key {"a":1} is no missing key). An empty array
--                stages nothing (and returns the batch)
--   p_actor      who acts (staff:<username>, batch:<job>)
-- Result (one row): batch_id, lines (the batch's number of lines after this call)
-- Errors
--   45002 batch_ref NULL, blank (_is_blank) or longer than 100 characters; actor blank;
--         p_lines not UTF-8 text; p_lines not a JSON array of objects; a value longer than 1000
--         characters
-- Set-based: one INSERT ... SELECT over JSON_TABLE; line numbers continue the batch's
-- (the batch row is locked, so two calls appending to one batch queue, never interleave); one
-- UPDATE adds the new lines to the batch's kept figures (line_count, pending_count,
-- amount_total, bad_amount_count, no_key_count: migration 0129).
-- Example:
--   CALL stage_payment_batch('lockbox-2026-11-29.csv',
--        '[{"account_no":"A00000007","amount":"120.50","method":"bank_transfer",
--           "paid_at":"2026-11-28","key":"lockbox:2026-11-29:1"}]', 'batch:lockbox');
CREATE PROCEDURE stage_payment_batch(IN p_batch_ref LONGTEXT,
                                     IN p_lines LONGBLOB,
                                     IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_batch_ref VARCHAR(100) DEFAULT _arg_text(p_batch_ref, 'batch_ref', 100);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_text LONGTEXT;
    DECLARE v_lines JSON;
    DECLARE v_batch_id INT UNSIGNED;
    DECLARE v_last INT UNSIGNED;
    DECLARE v_count INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF _is_blank(v_batch_ref) THEN
        CALL _fail(45002, 'batch_ref is required');
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    -- the bytes as UTF-8 text: a conversion that does not give the same bytes back met bytes
    -- that are no UTF-8 (MariaDB puts '?' for them, MySQL 8.4 may give NULL: either way they
    -- differ), checked before anything is kept
    IF NOT (CAST(CONVERT(p_lines USING utf8mb4) AS BINARY) <=> p_lines) THEN
        CALL _fail(45002, 'lines must be UTF-8 text: they hold bytes that are not UTF-8');
    END IF;
    SET v_text = CONVERT(p_lines USING utf8mb4);
    IF v_text IS NULL OR JSON_VALID(v_text) = 0 THEN
        CALL _fail(45002, 'lines must be a JSON array of objects');
    END IF;
    SET v_lines = v_text;
    IF JSON_TYPE(v_lines) <> 'ARRAY' THEN
        CALL _fail(45002, 'lines must be a JSON array of objects');
    END IF;
    -- every member an object, every value at most 1000 characters
    SELECT COUNT(*) INTO v_last
      FROM JSON_TABLE(v_lines, '$[*]' COLUMNS (line JSON PATH '$')) j
     WHERE JSON_TYPE(j.line) <> 'OBJECT';
    IF v_last > 0 THEN
        CALL _fail(45002, 'lines must be a JSON array of objects');
    END IF;
    -- a value of the wrong JSON type is kept as its JSON text (a scalar column of JSON_TABLE
    -- reads an object or array as NULL on MariaDB): that text counts then
    SELECT COUNT(*) INTO v_last
      FROM JSON_TABLE(v_lines, '$[*]' COLUMNS (
               account_no LONGTEXT PATH '$.account_no', account_no_j JSON PATH '$.account_no',
               amount LONGTEXT PATH '$.amount', amount_j JSON PATH '$.amount',
               method LONGTEXT PATH '$.method', method_j JSON PATH '$.method',
               paid_at LONGTEXT PATH '$.paid_at', paid_at_j JSON PATH '$.paid_at',
               k LONGTEXT PATH '$.key', k_j JSON PATH '$.key')) j
     WHERE CHAR_LENGTH(IF(JSON_TYPE(j.account_no_j) IN ('OBJECT', 'ARRAY'),
                          CAST(j.account_no_j AS CHAR), j.account_no)) > 1000
        OR CHAR_LENGTH(IF(JSON_TYPE(j.amount_j) IN ('OBJECT', 'ARRAY'),
                          CAST(j.amount_j AS CHAR), j.amount)) > 1000
        OR CHAR_LENGTH(IF(JSON_TYPE(j.method_j) IN ('OBJECT', 'ARRAY'),
                          CAST(j.method_j AS CHAR), j.method)) > 1000
        OR CHAR_LENGTH(IF(JSON_TYPE(j.paid_at_j) IN ('OBJECT', 'ARRAY'),
                          CAST(j.paid_at_j AS CHAR), j.paid_at)) > 1000
        OR CHAR_LENGTH(IF(JSON_TYPE(j.k_j) IN ('OBJECT', 'ARRAY'),
                          CAST(j.k_j AS CHAR), j.k)) > 1000;
    IF v_last > 0 THEN
        CALL _fail(45002, 'lines hold a value longer than 1000 characters');
    END IF;

    START TRANSACTION;
    -- the open batch of that name, or a new one; its row stays locked until COMMIT
    INSERT INTO payment_batch (batch_ref, status, created_by, created_at)
    VALUES (v_batch_ref, 'open', v_actor, NOW())
    ON DUPLICATE KEY UPDATE batch_id = LAST_INSERT_ID(batch_id);
    SET v_batch_id = LAST_INSERT_ID();
    SELECT COALESCE(MAX(line_no), 0) INTO v_last FROM payment_batch_line WHERE batch_id = v_batch_id;

    -- each value as received: a scalar's text (a number's as written), an object's or array's
    -- JSON text; malformed names the first value of the wrong JSON type, '<field> <JSON type>'
    -- (migration 0137: _post_batch_line refuses the line with it)
    INSERT INTO payment_batch_line (batch_id, line_no, account_no, amount_text, amount, method,
                                    paid_at, idempotency_key, malformed)
    SELECT v_batch_id, v_last + t.n, t.account_no, t.amount,
           IF(TRIM(t.amount) REGEXP '^[0-9]{1,7}([.][0-9]{0,2})?$'
              AND NOT TRIM(t.amount) REGEXP '[^.0-9]'         -- $ matches before a line break
              AND CAST(TRIM(t.amount) AS DECIMAL(12,2)) > 0
              AND CAST(TRIM(t.amount) AS DECIMAL(12,2)) <= 1000000,
              CAST(TRIM(t.amount) AS DECIMAL(12,2)), NULL),
           t.method, t.paid_at, CAST(t.k AS BINARY),
           CASE WHEN t.account_no_t IN ('OBJECT', 'ARRAY')
                THEN CONCAT('account_no ', LOWER(t.account_no_t))
                WHEN t.amount_t IN ('OBJECT', 'ARRAY') THEN CONCAT('amount ', LOWER(t.amount_t))
                WHEN t.method_t IN ('OBJECT', 'ARRAY') THEN CONCAT('method ', LOWER(t.method_t))
                WHEN t.paid_at_t IN ('OBJECT', 'ARRAY') THEN CONCAT('paid_at ', LOWER(t.paid_at_t))
                WHEN t.k_t NOT IN ('STRING', 'NULL') THEN CONCAT('key ', LOWER(t.k_t))
           END
      FROM (-- each value as text (no IF of a JSON and a text value: MySQL could type it JSON)
            -- in one character set and collation (the JSON and the text columns of JSON_TABLE
            -- differ in collation: compared as they are, 1267)
            SELECT j.n,
                   CONVERT(IF(JSON_TYPE(j.account_no_j) IN ('OBJECT', 'ARRAY'),
                              CAST(j.account_no_j AS CHAR), j.account_no)
                           USING utf8mb4) AS account_no,
                   CONVERT(IF(JSON_TYPE(j.amount_j) IN ('OBJECT', 'ARRAY'),
                              CAST(j.amount_j AS CHAR), j.amount)
                           USING utf8mb4) AS amount,
                   CONVERT(IF(JSON_TYPE(j.method_j) IN ('OBJECT', 'ARRAY'),
                              CAST(j.method_j AS CHAR), j.method)
                           USING utf8mb4) AS method,
                   CONVERT(IF(JSON_TYPE(j.paid_at_j) IN ('OBJECT', 'ARRAY'),
                              CAST(j.paid_at_j AS CHAR), j.paid_at)
                           USING utf8mb4) AS paid_at,
                   CONVERT(IF(JSON_TYPE(j.k_j) IN ('OBJECT', 'ARRAY'),
                              CAST(j.k_j AS CHAR), j.k)
                           USING utf8mb4) AS k,
                   JSON_TYPE(j.account_no_j) AS account_no_t, JSON_TYPE(j.amount_j) AS amount_t,
                   JSON_TYPE(j.method_j) AS method_t, JSON_TYPE(j.paid_at_j) AS paid_at_t,
                   JSON_TYPE(j.k_j) AS k_t
              FROM JSON_TABLE(v_lines, '$[*]' COLUMNS (
                       n FOR ORDINALITY,
                       account_no VARCHAR(1000) PATH '$.account_no',
                       account_no_j JSON PATH '$.account_no',
                       amount VARCHAR(1000) PATH '$.amount', amount_j JSON PATH '$.amount',
                       method VARCHAR(1000) PATH '$.method', method_j JSON PATH '$.method',
                       paid_at VARCHAR(1000) PATH '$.paid_at', paid_at_j JSON PATH '$.paid_at',
                       k VARCHAR(1000) PATH '$.key', k_j JSON PATH '$.key')) j) t
     ORDER BY t.n;
    SET v_count = v_last + ROW_COUNT();
    -- the batch's kept figures (migration 0129), from the lines just appended (the row is ours)
    UPDATE payment_batch b
      JOIN (SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS amount_total,
                   COALESCE(SUM(amount IS NULL), 0) AS bad_amount,
                   COALESCE(SUM(idempotency_key IS NULL), 0) AS no_key
              FROM payment_batch_line
             WHERE batch_id = v_batch_id AND line_no > v_last) s
       SET b.line_count = b.line_count + s.n, b.pending_count = b.pending_count + s.n,
           b.amount_total = b.amount_total + s.amount_total,
           b.bad_amount_count = b.bad_amount_count + s.bad_amount,
           b.no_key_count = b.no_key_count + s.no_key
     WHERE b.batch_id = v_batch_id;
    CALL _audit('payment_batch_staged', 'payment_batch', v_batch_id, NULL,
                JSON_OBJECT('batch_ref', v_batch_ref, 'lines_added', v_count - v_last,
                            'lines', v_count), v_actor);
    COMMIT;
    SELECT v_batch_id AS batch_id, v_count AS `lines`;
END
