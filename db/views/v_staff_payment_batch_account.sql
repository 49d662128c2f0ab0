-- v_staff_payment_batch_account: a payment batch's lines per account number, for the preview
-- before posting (a helper view of the staff back office, not part of the contract; see
-- docs/backoffice.md, "Bank files").
--
-- Columns
--   batch_id, account_no        the batch and an account number as its lines give it ('' for
--                               lines without one)
--   account_id, customer_id     the account with that number (NULL: none)
--   customer_name               its customer's name (NULL: no such account)
--   closed_account              1 when that account is closed
--   lines                       the batch's lines with that account_no
--   bad_amount_lines            of those, lines without a valid amount
--   amount                      the sum of their valid amounts (0.00 when none is valid)
--   amount_posted               the sum of the amounts of their payments posted by the batch
-- Example: SELECT * FROM v_staff_payment_batch_account WHERE batch_id = 3
--           ORDER BY lines DESC, account_no;
CREATE VIEW v_staff_payment_batch_account AS
SELECT l.batch_id, COALESCE(l.account_no, '') AS account_no, a.account_id, a.customer_id, c.full_name AS customer_name,
       (a.closed_on IS NOT NULL) AS closed_account,
       COUNT(*) AS `lines`,
       SUM(l.amount IS NULL) AS bad_amount_lines,
       CAST(COALESCE(SUM(l.amount), 0) AS DECIMAL(14,2)) AS amount,
       CAST(COALESCE(SUM(IF(l.outcome = 'posted', p.amount, 0)), 0) AS DECIMAL(14,2)) AS amount_posted
  FROM payment_batch_line l
  LEFT JOIN account a ON a.account_no = l.account_no        -- byte for byte, as posting
                     AND CAST(a.account_no AS BINARY) = CAST(l.account_no AS BINARY)
  LEFT JOIN customer c ON c.customer_id = a.customer_id
  LEFT JOIN payment p ON p.payment_id = l.payment_id
 GROUP BY l.batch_id, COALESCE(l.account_no, ''), a.account_id, a.customer_id, c.full_name, a.closed_on
