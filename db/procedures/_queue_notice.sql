-- _queue_notice: writes one event notice into the outbox, inside the caller's transaction.
--
-- For procedures whose event is one row (a payment, a reversal, a cancelled bill, a refund):
-- one line before their COMMIT, e.g. CALL _queue_notice('payment_received', v_account_id, NULL,
-- v_payment_id, NULL). Set-based events (the billing chunk) write their notices with one
-- INSERT ... SELECT of the same shape (the chunk's with the skip rule inline, see
-- _notice_skip_reason). The row is 'pending', or 'skipped' with the reason
-- (_notice_skip_reason) when the customer has no e-mail or opted out. A bill kind already
-- written for that bill (unique bill_id, kind) is left as it is.
-- Parameters
--   p_kind        a notice kind (notice.kind)
--   p_account_id  the account (its customer is the recipient)
--   p_bill_id     the bill, for bill kinds; else NULL
--   p_payment_id  the payment, for payment kinds; else NULL
--   p_refund_id   the refund, for refund_paid; else NULL
-- Result: none (no result set: it runs inside the caller's procedure).
-- Errors: 45001 when the account does not exist. No transaction of its own, no commit.
-- Example: CALL _queue_notice('bill_cancelled', 12, 345, NULL, NULL);
CREATE PROCEDURE _queue_notice(IN p_kind VARCHAR(20), IN p_account_id INT UNSIGNED,
                               IN p_bill_id INT UNSIGNED, IN p_payment_id INT UNSIGNED,
                               IN p_refund_id INT UNSIGNED)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    INSERT INTO notice (kind, customer_id, account_id, bill_id, payment_id, refund_id,
                        status, skip_reason)
    SELECT p_kind, s.customer_id, s.account_id, p_bill_id, p_payment_id, p_refund_id,
           IF(s.reason IS NULL, 'pending', 'skipped'), s.reason
      FROM (SELECT c.customer_id, a.account_id,
                   _notice_skip_reason(p_kind, c.email, cp.email_bills, cp.email_reminders) AS reason
              FROM account a
              JOIN customer c ON c.customer_id = a.customer_id
              LEFT JOIN contact_preference cp ON cp.customer_id = c.customer_id
             WHERE a.account_id = p_account_id) s
    ON DUPLICATE KEY UPDATE notice_id = notice.notice_id;
    IF ROW_COUNT() = 0 AND NOT EXISTS (SELECT 1 FROM account WHERE account_id = p_account_id) THEN
        CALL _fail(45001, CONCAT('no account with id ', COALESCE(p_account_id, 'NULL')));
    END IF;
END
