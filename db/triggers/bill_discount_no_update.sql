-- bill_discount_no_update: bill_discount is append-only, like the bill lines it records: refuses
-- every UPDATE of a bill_discount row.
--
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: UPDATE bill_discount SET account_discount_id = 2 WHERE bill_id = 1;  -- ERROR 45060
CREATE TRIGGER bill_discount_no_update BEFORE UPDATE ON bill_discount
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'bill_discount is append-only: a bill''s discount cannot be changed'
