-- payment_no_delete: a payment row is never deleted.
--
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: DELETE FROM payment WHERE payment_id = 1;  -- ERROR 45060
CREATE TRIGGER payment_no_delete BEFORE DELETE ON payment
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'a payment cannot be deleted (reverse it instead)'
