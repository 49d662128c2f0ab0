-- v_kpi_aging_buckets: open money and the accounts owing it in each aging bucket, as of today
-- (five rows, empty buckets included; a view of the staff back office's home page, not part of
-- the contract; see docs/backoffice.md, "Home pages and KPIs").
--
-- Columns
--   bucket_no   0..4, the order to show them in
--   bucket      not_due, d1_30, d31_60, d61_90, d90_plus (v_aging's column of the same name)
--   accounts    accounts with money open in that bucket (an account with bills in two buckets
--               counts in both; the same as the rows of v_aging with that column <> 0)
--   amount      the money open in it (= SUM of that column of v_aging)
-- Days past due = today - due_date, as in v_aging. Open bills only: bill.open_account_id is
-- account_id while money is open, else NULL; the bills come from ix_bill_open_cover (migration
-- 0127) alone.
-- Example: SELECT bucket, accounts, amount FROM v_kpi_aging_buckets ORDER BY bucket_no;
CREATE VIEW v_kpi_aging_buckets AS
SELECT k.bucket_no, k.bucket,
       CAST(COALESCE(o.accounts, 0) AS UNSIGNED) AS accounts,
       CAST(COALESCE(o.amount, 0) AS DECIMAL(14,2)) AS amount
  FROM (SELECT 0 AS bucket_no, 'not_due' AS bucket UNION ALL SELECT 1, 'd1_30'
        UNION ALL SELECT 2, 'd31_60' UNION ALL SELECT 3, 'd61_90'
        UNION ALL SELECT 4, 'd90_plus') k
  LEFT JOIN (SELECT x.bucket_no, COUNT(DISTINCT x.account_id) AS accounts,
                    SUM(x.open_amount) AS amount
               FROM (SELECT b.open_account_id AS account_id,
                            b.total_amount - b.amount_paid AS open_amount,
                            CASE WHEN b.open_due_date >= CURRENT_DATE THEN 0
                                 WHEN DATEDIFF(CURRENT_DATE, b.open_due_date) <= 30 THEN 1
                                 WHEN DATEDIFF(CURRENT_DATE, b.open_due_date) <= 60 THEN 2
                                 WHEN DATEDIFF(CURRENT_DATE, b.open_due_date) <= 90 THEN 3
                                 ELSE 4 END AS bucket_no
                       FROM bill b
                      WHERE b.open_account_id IS NOT NULL) x
              GROUP BY x.bucket_no) o ON o.bucket_no = k.bucket_no
