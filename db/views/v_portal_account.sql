-- v_portal_account: what the customer portal's dashboard shows for each account (not contract).
--
-- Columns: account_id, account_no, customer_id, customer_no, status (open/closed),
--   service_address, tariff_name, balance (the ledger sum: positive = the customer owes),
--   overdue_amount, amount_open (open money of all bills), credit (unallocated payment money),
--   amount_due (balance when positive, else 0.00: what paying clears),
--   next_due_date (earliest due date of a bill with money open; NULL when none),
--   rebate_available (sum of the early-payment rebates still on offer today: bill not
--   cancelled, money open, rebate not granted, R > 0, rebate_date on or after today),
--   rebate_date (the earliest rebate_date among those bills: pay by then to get them all),
--   amount_due_with_rebate (amount_due less rebate_available when a rebate is on offer, else
--   NULL: paying it by rebate_date clears the account with every offered rebate granted,
--   because allocation gives each bill its total - paid - R then grants R).
-- "Today" is the session's CURRENT_DATE.
-- Example: SELECT * FROM v_portal_account WHERE customer_id = 7 ORDER BY account_no;
CREATE VIEW v_portal_account AS
SELECT x.account_id, x.account_no, x.customer_id, x.customer_no, x.status, x.service_address,
       x.tariff_name, x.balance, x.overdue_amount, x.amount_open, x.credit,
       GREATEST(x.balance, 0) AS amount_due,
       x.next_due_date,
       x.rebate_available,
       x.rebate_date,
       CASE WHEN x.rebate_available > 0 AND x.balance > x.rebate_available
            THEN x.balance - x.rebate_available END AS amount_due_with_rebate
FROM (
    SELECT b.account_id, b.account_no, b.customer_id, b.customer_no, b.status,
           a.service_address, t.name AS tariff_name, b.balance, b.overdue_amount,
           b.amount_open, b.credit,
           b.oldest_due_date AS next_due_date,
           COALESCE((SELECT SUM(r.rebate_amount) FROM bill r
                     WHERE r.account_id = b.account_id AND r.cancelled_at IS NULL
                       AND r.amount_paid < r.total_amount AND r.rebate_granted = 0
                       AND r.rebate_amount > 0 AND r.rebate_date >= CURRENT_DATE), 0)
               AS rebate_available,
           (SELECT MIN(r.rebate_date) FROM bill r
            WHERE r.account_id = b.account_id AND r.cancelled_at IS NULL
              AND r.amount_paid < r.total_amount AND r.rebate_granted = 0
              AND r.rebate_amount > 0 AND r.rebate_date >= CURRENT_DATE) AS rebate_date
    FROM v_account_balance b
    JOIN account a ON a.account_id = b.account_id
    JOIN tariff t ON t.tariff_id = a.tariff_id
) x
