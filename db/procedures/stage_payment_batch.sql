-- stage_payment_batch: appends lines of a bank or lockbox file to a payment batch, to be posted
-- by post_payment_batch. Checks only the file's shape; what each line means (account, amount,
-- method, date, key) is judged when it is posted, exactly as post_payment would judge it.
--
-- Parameters
--   p_batch_ref  the caller's name for the file (1 to 100 characters). While a batch of that
--                name is open (not yet posted), the lines are appended to it; else a new batch
--   p_lines      JSON array of objects {"account_no", "amount", "method", "paid_at", "key"};
--                every member may be missing or null (post_payment's NULL). Numbers are read
--                as text (the amount's text is kept as received); each value at most 1000
--                characters. An empty array stages nothing (and returns the batch)
--   p_actor      who acts (staff:<username>, batch:<job>)
-- Result (one row): batch_id, lines (the batch's number of lines after this call)
-- Errors
--   45002 batch_ref NULL, blank or longer than 100 characters; actor empty; p_lines not a JSON
--         array of objects; a value longer than 1000 characters
-- Set-based: one INSERT ... SELECT over JSON_TABLE; line numbers continue the batch's
-- (the batch row is locked, so two calls appending to one batch queue, never interleave); one
-- UPDATE adds the new lines to the batch's kept figures (line_count, pending_count,
-- amount_total, bad_amount_count, no_key_count: migration 0129).
-- Example:
--   CALL stage_payment_batch('lockbox-2026-11-29.csv',
--        '[{"account_no":"A00000007","amount":"120.50","method":"bank_transfer",
--           "paid_at":"2026-11-28","key":"lockbox:2026-11-29:1"}]', 'batch:lockbox');
CREATE PROCEDURE stage_payment_batch(IN p_batch_ref LONGTEXT,
                                     IN p_lines LONGTEXT,
                                     IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_batch_ref VARCHAR(100) DEFAULT _arg_text(p_batch_ref, 'batch_ref', 100);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_lines JSON;
    DECLARE v_batch_id INT UNSIGNED;
    DECLARE v_last INT UNSIGNED;
    DECLARE v_count INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF v_batch_ref IS NULL OR TRIM(v_batch_ref) = '' THEN
        CALL _fail(45002, 'batch_ref is required');
    END IF;
    IF v_actor IS NULL OR TRIM(v_actor) = '' THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF p_lines IS NULL OR JSON_VALID(p_lines) = 0 THEN
        CALL _fail(45002, 'lines must be a JSON array of objects');
    END IF;
    SET v_lines = p_lines;
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
    SELECT COUNT(*) INTO v_last
      FROM JSON_TABLE(v_lines, '$[*]' COLUMNS (
               account_no LONGTEXT PATH '$.account_no',
               amount LONGTEXT PATH '$.amount',
               method LONGTEXT PATH '$.method',
               paid_at LONGTEXT PATH '$.paid_at',
               k LONGTEXT PATH '$.key')) j
     WHERE CHAR_LENGTH(j.account_no) > 1000 OR CHAR_LENGTH(j.amount) > 1000
        OR CHAR_LENGTH(j.method) > 1000 OR CHAR_LENGTH(j.paid_at) > 1000
        OR CHAR_LENGTH(j.k) > 1000;
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

    INSERT INTO payment_batch_line (batch_id, line_no, account_no, amount_text, amount, method,
                                    paid_at, idempotency_key)
    SELECT v_batch_id, v_last + j.n, j.account_no, j.amount,
           IF(TRIM(j.amount) REGEXP '^[0-9]{1,7}([.][0-9]{0,2})?$'
              AND CAST(TRIM(j.amount) AS DECIMAL(12,2)) > 0
              AND CAST(TRIM(j.amount) AS DECIMAL(12,2)) <= 1000000,
              CAST(TRIM(j.amount) AS DECIMAL(12,2)), NULL),
           j.method, j.paid_at, CAST(j.k AS BINARY)
      FROM JSON_TABLE(v_lines, '$[*]' COLUMNS (
               n FOR ORDINALITY,
               account_no VARCHAR(1000) PATH '$.account_no',
               amount VARCHAR(1000) PATH '$.amount',
               method VARCHAR(1000) PATH '$.method',
               paid_at VARCHAR(1000) PATH '$.paid_at',
               k VARCHAR(1000) PATH '$.key')) j;
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
