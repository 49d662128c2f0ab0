-- bill_line_no_delete: bill_line is append-only: refuses every DELETE of a bill_line row.
--
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: DELETE FROM bill_line WHERE bill_id = 1;  -- ERROR 45060
CREATE TRIGGER bill_line_no_delete BEFORE DELETE ON bill_line
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'bill_line is append-only: a bill line cannot be deleted'
