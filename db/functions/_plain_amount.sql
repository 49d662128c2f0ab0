-- _plain_amount: the amount of money a bank-file line states in the plain form, or NULL
-- (internal helper of post_payment_batch's set-based path). Never signals.
--
-- The plain form is what banks send: digits without a sign, spaces or leading zeros, and at
-- most two decimals ('120', '120.5', '120.50', '0.01'), from 0.01 to 1000000.00. For such a
-- text the value is exactly the one post_payment's _arg_decimal gives and post_payment takes
-- it. Any other text (a sign, spaces, an exponent, more decimals, 0, too big) gives NULL, and
-- the line goes post_payment's own way, which refuses it with the error post_payment gives.
-- Parameters
--   p_value  the amount as received (NULL gives NULL)
-- Returns DECIMAL(12,2) or NULL. Errors: none.
-- Example: SELECT _plain_amount('120.5');  -- 120.50; _plain_amount('1e3') -- NULL
CREATE FUNCTION _plain_amount(p_value LONGTEXT)
    RETURNS DECIMAL(12,2)
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    DECLARE v DECIMAL(12,2);
    IF p_value IS NULL OR CHAR_LENGTH(p_value) > 10
       OR NOT p_value REGEXP '^(0|[1-9][0-9]{0,6})([.][0-9]{1,2})?$' THEN
        RETURN NULL;
    END IF;
    SET v = CAST(p_value AS DECIMAL(12,2));
    RETURN IF(v > 0 AND v <= 1000000, v, NULL);
END
