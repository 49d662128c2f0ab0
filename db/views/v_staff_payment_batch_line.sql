-- v_staff_payment_batch_line: every line of a payment batch (v_payment_batch_lines) with what
-- the back office's preview flags before posting (a helper view of the staff back office, not
-- part of the contract; see docs/backoffice.md, "Bank files").
--
-- Columns
--   batch_id, batch_ref, line_no, account_no, amount (the text as received), amount_parsed
--   (NULL: no valid amount), method, paid_at (as received), idempotency_key, outcome, payment_id,
--   receipt_no, errno, message, done_at: as in v_payment_batch_lines
--   account_id, customer_id   the account the line's account_no names (NULL: none), matched as
--                             posting matches it: byte for byte ("a0000001" or "A0000001 "
--                             names no account; the collation's equality finds the row by
--                             its index, the binary one decides)
--   unknown_account           1 when no account has that number (posting refuses it: 45001)
--   bad_amount                1 when the amount is not above 0, at most 1000000.00 with at most
--                             two decimals (posting refuses it: 45020)
--   closed_account            1 when the account is closed (posting takes the line only while
--                             money is open on the account)
--   no_key                    1 when the line has no key (posting makes an auto: key: the line
--                             is then not recognised if the same payment arrives again)
-- Example: SELECT line_no, account_no, amount FROM v_staff_payment_batch_line
--           WHERE batch_id = 3 AND (unknown_account = 1 OR bad_amount = 1) ORDER BY line_no;
CREATE VIEW v_staff_payment_batch_line AS
SELECT l.batch_id, l.batch_ref, l.line_no, l.account_no, l.amount, l.amount_parsed, l.method,
       l.paid_at, l.idempotency_key, l.outcome, l.payment_id, l.receipt_no, l.errno, l.message,
       l.done_at, a.account_id, a.customer_id,
       (a.account_id IS NULL) AS unknown_account,
       (l.amount_parsed IS NULL) AS bad_amount,
       (a.closed_on IS NOT NULL) AS closed_account,
       (l.idempotency_key IS NULL) AS no_key
  FROM v_payment_batch_lines l
  LEFT JOIN account a ON a.account_no = l.account_no        -- byte for byte, as posting
                     AND CAST(a.account_no AS BINARY) = CAST(l.account_no AS BINARY)
