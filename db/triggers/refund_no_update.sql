-- refund_no_update: a refund row never changes: refuses every UPDATE of a refund row.
--
--   A refund is money paid back to the customer (billing-rules.md, Refunds): what was paid, to
--   which account, by which method and under which key is fixed once refund_credit wrote it, as
--   a payment's allocation is (payment_allocation_no_update). No procedure updates a refund row
--   (refund_credit only inserts), so every column is frozen.
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: UPDATE refund SET amount = amount + 1 WHERE refund_id = 1;  -- ERROR 45060
CREATE TRIGGER refund_no_update BEFORE UPDATE ON refund
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'a refund cannot be changed (it is money paid back)'
