-- refund_part_no_delete: refund_part is append-only: refuses every DELETE of a refund_part row.
--
--   A refund part is the money of a payment paid back, used money like an allocation
--   (payment_allocation_no_delete); deleting one would leave payment.amount_refunded and the
--   refund's ledger entry without the rows they sum.
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: DELETE FROM refund_part WHERE refund_id = 1;  -- ERROR 45060
CREATE TRIGGER refund_part_no_delete BEFORE DELETE ON refund_part
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'refund_part is append-only: a refunded part of a payment cannot be deleted'
