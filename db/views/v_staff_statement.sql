-- v_staff_statement: an account's statement, the ledger with a running balance (a helper view of
-- the staff back office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   entry_id, account_id, entry_date, posted_at, entry_type, amount, actor
--   bill_id, bill_no          the bill an entry of a bill belongs to (NULL for payments)
--   payment_id, receipt_no    the payment of a payment or reversal entry (NULL for bills)
--   running_balance           SUM(amount) of the account's entries up to and including this one,
--                             in posting order (entry_id): what the customer owed after it
--                             (negative: a credit)
-- One row per ledger entry. The running balance is computed here, in SQL, so the web app does no
-- money arithmetic.
-- Example: SELECT * FROM v_staff_statement WHERE account_id = 7 ORDER BY entry_id;
CREATE VIEW v_staff_statement AS
SELECT l.entry_id,
       l.account_id,
       l.entry_date,
       l.posted_at,
       l.entry_type,
       l.amount,
       l.actor,
       l.bill_id,
       b.bill_no,
       l.payment_id,
       IF(p.payment_id IS NULL, NULL, receipt_no(p.payment_id, p.posted_at)) AS receipt_no,
       CAST(SUM(l.amount) OVER (PARTITION BY l.account_id ORDER BY l.entry_id
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS DECIMAL(14,2)) AS running_balance
  FROM ledger_entry l
  LEFT JOIN bill b ON b.bill_id = l.bill_id
  LEFT JOIN payment p ON p.payment_id = l.payment_id
