-- bill_discount_no_delete: bill_discount is append-only, like the bill lines it records: refuses
-- every DELETE of a bill_discount row.
--
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: DELETE FROM bill_discount WHERE bill_id = 1;  -- ERROR 45060
CREATE TRIGGER bill_discount_no_delete BEFORE DELETE ON bill_discount
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'bill_discount is append-only: a bill''s discount cannot be deleted'
