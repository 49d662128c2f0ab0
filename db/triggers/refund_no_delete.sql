-- refund_no_delete: a refund row is never deleted.
--
--   A refund is money paid back to the customer; its ledger entry (append-only) and its parts
--   refer to it. Refused before the foreign keys are checked, so the caller gets the contract's
--   45060, not the server's 1451.
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: DELETE FROM refund WHERE refund_id = 1;  -- ERROR 45060
CREATE TRIGGER refund_no_delete BEFORE DELETE ON refund
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'a refund cannot be deleted (it is money paid back)'
