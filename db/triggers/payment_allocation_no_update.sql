-- payment_allocation_no_update: payment_allocation is append-only: refuses every UPDATE of a payment_allocation row.
--
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: UPDATE payment_allocation SET amount = 1 WHERE allocation_id = 1;  -- ERROR 45060
CREATE TRIGGER payment_allocation_no_update BEFORE UPDATE ON payment_allocation
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'payment_allocation is append-only: an allocation cannot be changed (add one of the opposite sign)'
