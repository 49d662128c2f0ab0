-- v_aging: open money of each account by days past due (as of today).
--
-- Columns (contract): account_id, account_no, not_due (due today or later), d1_30, d31_60,
--   d61_90, d90_plus (days past due = today - due_date), total_open (the sum of the buckets).
-- Only accounts with money open on some bill appear; unallocated credit is not netted here
-- (it is in v_account_balance). "Today" is the session's CURRENT_DATE.
-- Example: SELECT SUM(d90_plus) FROM v_aging;
CREATE VIEW v_aging AS
SELECT a.account_id, a.account_no,
       SUM(IF(b.due_date >= CURRENT_DATE, b.total_amount - b.amount_paid, 0)) AS not_due,
       SUM(IF(DATEDIFF(CURRENT_DATE, b.due_date) BETWEEN 1 AND 30, b.total_amount - b.amount_paid, 0)) AS d1_30,
       SUM(IF(DATEDIFF(CURRENT_DATE, b.due_date) BETWEEN 31 AND 60, b.total_amount - b.amount_paid, 0)) AS d31_60,
       SUM(IF(DATEDIFF(CURRENT_DATE, b.due_date) BETWEEN 61 AND 90, b.total_amount - b.amount_paid, 0)) AS d61_90,
       SUM(IF(DATEDIFF(CURRENT_DATE, b.due_date) > 90, b.total_amount - b.amount_paid, 0)) AS d90_plus,
       SUM(b.total_amount - b.amount_paid) AS total_open
FROM bill b
JOIN account a ON a.account_id = b.account_id
WHERE b.cancelled_at IS NULL AND b.amount_paid < b.total_amount
GROUP BY a.account_id, a.account_no
