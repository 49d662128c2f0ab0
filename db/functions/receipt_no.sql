-- receipt_no: the receipt number a customer sees for a payment.
--
-- Parameters
--   p_payment_id  the payment's id (payment.payment_id)
--   p_posted_at   when the payment was posted (payment.posted_at)
-- Returns VARCHAR(20): 'R' + the year of posting + '-' + the payment id, zero-padded to 9 digits
--   (wider ids are kept whole, never cut). Unique (the id is); increases with posting order within
--   a year (ids come from AUTO_INCREMENT); gaps are allowed (a posting that rolls back leaves
--   one). It is derived from the id alone, so taking it never serializes payments of different
--   accounts (no counter row to lock). NULL when an argument is NULL.
-- Example: SELECT receipt_no(1234, '2026-03-15 10:00:00');  -- 'R2026-000001234'
CREATE FUNCTION receipt_no(p_payment_id INT UNSIGNED, p_posted_at DATETIME)
    RETURNS VARCHAR(20)
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    RETURN CONCAT('R', YEAR(p_posted_at), '-',
                  LPAD(p_payment_id, GREATEST(9, CHAR_LENGTH(p_payment_id)), '0'));
END
