-- preview_readings: what recording a file of readings would do, row by row, without keeping any
-- of it (not contract; the back office's CSV upload shows it before the rows are recorded).
-- Each row goes through record_reading's own body (_insert_reading: the same checks, the same
-- high-use rule) in one transaction that is rolled back at the end, so a row sees the rows of
-- the file before it (a second reading of a meter is checked against the first) exactly as
-- recording the file in order would, and nothing stays behind.
--
-- Parameters
--   p_rows   JSON array of objects {"serial_no", "read_on", "value", "source"} (strings or
--            numbers, as record_reading takes its arguments), at most 10,000
--   p_actor  who asks (recorded nowhere: everything is rolled back)
-- Result: one row per input row, in order: line_no (1-based position in p_rows), outcome
--   (accepted, review or refused), consumption_kwh (NULL when refused), errno and message
--   (the error record_reading would signal; NULL otherwise).
-- Errors: 45002 p_rows is not a JSON array or has over 10,000 rows; a row's own error is its
--   outcome, not signalled.
-- Locks: the meters of the rows, until it returns (as recording them would, for as long).
-- Isolation: READ COMMITTED (REPEATABLE READ where the binary log is statement-based): the
--   meter's look-up by serial is a locking read (_insert_reading), which then locks no gap of
--   the serial index, where an exchange_meter inserts its new meter's serial.
-- A loop over the rows: each row's outcome depends on the rows before it (the meter's latest
-- point moves with them), as in record_reading called row after row.
-- Example: CALL preview_readings('[{"serial_no": "M-1001", "read_on": "2026-02-28",
--          "value": "1350", "source": "field"}]', 'staff:alice');
CREATE PROCEDURE preview_readings(IN p_rows LONGTEXT, IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_n INT;
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_reading_id INT UNSIGNED;
    DECLARE v_status VARCHAR(8);
    DECLARE v_kwh DECIMAL(14,4);
    DECLARE v_errno INT;
    DECLARE v_message VARCHAR(512);
    DECLARE v_read_committed TINYINT
        DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- (JSON_TYPE only on valid JSON: MySQL signals on anything else, so no OR here)
    IF p_rows IS NULL OR JSON_VALID(p_rows) = 0 THEN
        CALL _fail(45002, 'rows must be a JSON array of readings');
    ELSEIF JSON_TYPE(p_rows) <> 'ARRAY' THEN
        CALL _fail(45002, 'rows must be a JSON array of readings');
    END IF;
    SET v_n = JSON_LENGTH(p_rows);
    IF v_n > 10000 THEN
        CALL _fail(45002, CONCAT('rows has ', v_n, ' readings; at most 10000 at a time'));
    END IF;

    -- the outcomes survive the final ROLLBACK: a MEMORY table is not transactional
    DROP TEMPORARY TABLE IF EXISTS preview_reading_outcome;
    CREATE TEMPORARY TABLE preview_reading_outcome (
        line_no         INT UNSIGNED  NOT NULL PRIMARY KEY,
        outcome         VARCHAR(8)    CHARACTER SET ascii NOT NULL,
        consumption_kwh DECIMAL(14,4) NULL,
        errno           INT           NULL,
        message         VARCHAR(512)  NULL
    ) ENGINE=MEMORY;

    SET @billing_actor = v_actor;
    -- READ COMMITTED (REPEATABLE READ where the binary log is statement-based): the meter is
    -- looked up by serial with a locking read (_insert_reading), which under REPEATABLE READ
    -- also locked the gap before the serial in its index: an exchange_meter of that meter,
    -- inserting the new meter's serial there, was a deadlock with a reading queued on the meter
    COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
    IF v_read_committed THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    WHILE v_i < v_n DO
        BEGIN
            DECLARE EXIT HANDLER FOR SQLSTATE '45000'
            BEGIN
                GET DIAGNOSTICS CONDITION 1 v_errno = MYSQL_ERRNO, v_message = MESSAGE_TEXT;
                ROLLBACK TO SAVEPOINT reading_row;
                INSERT INTO preview_reading_outcome VALUES (v_i + 1, 'refused', NULL, v_errno, v_message);
            END;
            SAVEPOINT reading_row;
            CALL _insert_reading(
                _arg_text(JSON_UNQUOTE(JSON_EXTRACT(p_rows, CONCAT('$[', v_i, '].serial_no'))), 'serial_no', 255),
                _arg_date(JSON_UNQUOTE(JSON_EXTRACT(p_rows, CONCAT('$[', v_i, '].read_on'))), 'read_on'),
                _arg_decimal(JSON_UNQUOTE(JSON_EXTRACT(p_rows, CONCAT('$[', v_i, '].value'))), 'value', 14, 6, 45011),
                _arg_text(JSON_UNQUOTE(JSON_EXTRACT(p_rows, CONCAT('$[', v_i, '].source'))), 'source', 255),
                v_actor, v_reading_id, v_status, v_kwh);
            INSERT INTO preview_reading_outcome VALUES (v_i + 1, v_status, v_kwh, NULL, NULL);
        END;
        SET v_i = v_i + 1;
    END WHILE;
    ROLLBACK;

    SELECT line_no, outcome, consumption_kwh, errno, message
    FROM preview_reading_outcome ORDER BY line_no;
    DROP TEMPORARY TABLE IF EXISTS preview_reading_outcome;
END
