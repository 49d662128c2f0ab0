-- v_account_balance: every account with its balance and what is overdue (as of today).
--
-- Columns (contract): account_id, account_no, customer_id, customer_no, customer_name,
--   status (open/closed), balance (sum of the ledger: positive = the customer owes),
--   overdue_amount (open money of bills due before today), oldest_due_date (earliest due
--   date of a bill with money open).
--   Also: amount_open (open money of all bills), credit (unallocated payment money).
--   Cancelled bills count nowhere.
-- "Today" is the session's CURRENT_DATE.
-- Example: SELECT * FROM v_account_balance WHERE customer_id = 7;
CREATE VIEW v_account_balance AS
SELECT a.account_id, a.account_no, c.customer_id, c.customer_no, c.full_name AS customer_name,
       IF(a.closed_on IS NULL, 'open', 'closed') AS status,
       COALESCE((SELECT SUM(l.amount) FROM ledger_entry l WHERE l.account_id = a.account_id), 0)
           AS balance,
       COALESCE((SELECT SUM(b.total_amount - b.amount_paid) FROM bill b
                 WHERE b.account_id = a.account_id AND b.cancelled_at IS NULL
                   AND b.due_date < CURRENT_DATE), 0) AS overdue_amount,
       (SELECT MIN(b.due_date) FROM bill b
        WHERE b.account_id = a.account_id AND b.cancelled_at IS NULL
          AND b.amount_paid < b.total_amount) AS oldest_due_date,
       COALESCE((SELECT SUM(b.total_amount - b.amount_paid) FROM bill b
                 WHERE b.account_id = a.account_id AND b.cancelled_at IS NULL), 0) AS amount_open,
       COALESCE((SELECT SUM(p.amount - p.amount_allocated - p.amount_refunded) FROM payment p
                 WHERE p.credit_account_id = a.account_id), 0) AS credit
FROM account a
JOIN customer c ON c.customer_id = a.customer_id
