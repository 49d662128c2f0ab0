-- v_aging: open money of each account by days past due (as of today).
--
-- Columns (contract): account_id, account_no, not_due (due today or later), d1_30, d31_60,
--   d61_90, d90_plus (days past due = today - due_date), total_open (the sum of the buckets).
-- Only accounts with money open on some bill appear; unallocated credit is not netted here
-- (it is in v_account_balance). "Today" is the session's CURRENT_DATE.
-- The bills are read from ix_bill_open_cover alone, in its order: (open_account_id,
-- open_due_date, total_amount, amount_paid), migration 0127. open_account_id is account_id while
-- money is open and NULL once paid up or cancelled (migration 0115), open_due_date the same for
-- due_date (0001). So the groups come out of the index one account after another, with no
-- temporary table, and only then is the account joined for its number: at 1M accounts 1.3 s
-- (16 s with the account joined first, 3.4 s grouping the index in due-date order). A LEFT JOIN (every bill has its account: the foreign key), so that
-- MariaDB leaves the account out of a query that reads no column of it (table elimination).
-- Example: SELECT SUM(d90_plus) FROM v_aging;
CREATE VIEW v_aging AS
SELECT g.account_id, a.account_no, g.not_due, g.d1_30, g.d31_60, g.d61_90, g.d90_plus, g.total_open
FROM (SELECT b.open_account_id AS account_id,
             SUM(IF(b.open_due_date >= CURRENT_DATE, b.total_amount - b.amount_paid, 0)) AS not_due,
             SUM(IF(DATEDIFF(CURRENT_DATE, b.open_due_date) BETWEEN 1 AND 30,
                    b.total_amount - b.amount_paid, 0)) AS d1_30,
             SUM(IF(DATEDIFF(CURRENT_DATE, b.open_due_date) BETWEEN 31 AND 60,
                    b.total_amount - b.amount_paid, 0)) AS d31_60,
             SUM(IF(DATEDIFF(CURRENT_DATE, b.open_due_date) BETWEEN 61 AND 90,
                    b.total_amount - b.amount_paid, 0)) AS d61_90,
             SUM(IF(DATEDIFF(CURRENT_DATE, b.open_due_date) > 90,
                    b.total_amount - b.amount_paid, 0)) AS d90_plus,
             SUM(b.total_amount - b.amount_paid) AS total_open
      FROM bill b
      WHERE b.open_account_id IS NOT NULL
      GROUP BY b.open_account_id) g
LEFT JOIN account a ON a.account_id = g.account_id
