-- refund_part_no_update: refund_part is append-only: refuses every UPDATE of a refund_part row.
--
--   A refund part is the money of a payment paid back, used money like an allocation
--   (billing-rules.md: a payment's unallocated credit = amount - net allocations - refunded;
--   payment.amount_refunded sums these rows). No procedure updates a refund_part row
--   (refund_credit inserts them and then updates the payments they name, not the parts).
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: UPDATE refund_part SET amount = 1 WHERE refund_id = 1;  -- ERROR 45060
CREATE TRIGGER refund_part_no_update BEFORE UPDATE ON refund_part
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'refund_part is append-only: a refunded part of a payment cannot be changed'
