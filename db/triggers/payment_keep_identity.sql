-- payment_keep_identity: a payment's account_id, amount and idempotency_key never change.
--
--   An UPDATE of a payment may change its status, amount_allocated and reversed_* columns (and
--   any other column), but not what identifies the money received: account_id, amount and
--   idempotency_key. The key is compared as bytes, so even a change of letter case is refused.
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
-- Errors: 45060 IMMUTABLE, naming the column.
-- Example: UPDATE payment SET amount = 1 WHERE payment_id = 1;  -- ERROR 45060
CREATE TRIGGER payment_keep_identity BEFORE UPDATE ON payment
FOR EACH ROW
BEGIN
    IF NOT (NEW.account_id <=> OLD.account_id) THEN
        SIGNAL SQLSTATE '45000'
            SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'payment.account_id cannot be changed';
    END IF;
    IF NOT (NEW.amount <=> OLD.amount) THEN
        SIGNAL SQLSTATE '45000'
            SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'payment.amount cannot be changed';
    END IF;
    IF NOT (CAST(NEW.idempotency_key AS BINARY) <=> CAST(OLD.idempotency_key AS BINARY)) THEN
        SIGNAL SQLSTATE '45000'
            SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'payment.idempotency_key cannot be changed';
    END IF;
END
