-- v_kpi_summary: the figures of the manager's and billing admin's home page, as of today (one
-- row; a view of the staff back office, not part of the contract; definitions in
-- docs/backoffice.md, "Home pages and KPIs"). "Today" is the session's CURRENT_DATE; "this month"
-- is its calendar month.
--
-- Columns
--   as_of, month_start
--   bills_this_month, billed_this_month    bills issued this month (issue_date), not cancelled:
--                                          how many and their current totals
--   payments_this_month, collected_this_month  payments paid this month (paid_at) that stand
--                                          (status 'posted'; reversed ones are left out)
--   open_amount, accounts_open             money open on bills not cancelled (total - paid), and
--                                          the accounts owing it (unallocated credit not netted)
--   overdue_amount, accounts_overdue       of that, on bills past their due date
--   billed_last_90_days                    totals of bills issued in the 90 days up to today
--   dso_days                               days sales outstanding:
--                                          open_amount / billed_last_90_days x 90, 1 decimal;
--                                          NULL when nothing was billed in those 90 days
--   readings_in_review, open_exceptions    the work waiting (v_kpi_work_waiting)
-- Speed (1M accounts): four passes, each one index range and no table row: the bills issued
-- from 90 days ago to the end of this month on bill (issue_date, cancelled_at, total_amount);
-- the open bills on bill (open_account_id, open_due_date, total_amount, amount_paid) (migration
-- 0127; open_account_id is account_id while money is open, else NULL); this month's
-- payments on payment (paid_at, status, amount) (covering indexes of migration 0093); the
-- work waiting (v_kpi_work_waiting). The home page reads the same figures kept by the 5-minute
-- job when it ran lately (v_kpi_kept_summary, migration 0133), this view otherwise.
-- Example: SELECT billed_this_month, collected_this_month, dso_days FROM v_kpi_summary;
CREATE VIEW v_kpi_summary AS
SELECT CURRENT_DATE AS as_of,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) AS month_start,
       CAST(COALESCE(b.bills_this_month, 0) AS UNSIGNED) AS bills_this_month,
       CAST(COALESCE(b.billed_this_month, 0) AS DECIMAL(14,2)) AS billed_this_month,
       CAST(COALESCE(p.payments_this_month, 0) AS UNSIGNED) AS payments_this_month,
       CAST(COALESCE(p.collected_this_month, 0) AS DECIMAL(14,2)) AS collected_this_month,
       CAST(COALESCE(o.open_amount, 0) AS DECIMAL(14,2)) AS open_amount,
       CAST(COALESCE(o.accounts_open, 0) AS UNSIGNED) AS accounts_open,
       CAST(COALESCE(o.overdue_amount, 0) AS DECIMAL(14,2)) AS overdue_amount,
       CAST(COALESCE(o.accounts_overdue, 0) AS UNSIGNED) AS accounts_overdue,
       CAST(COALESCE(b.billed_last_90_days, 0) AS DECIMAL(14,2)) AS billed_last_90_days,
       CAST(IF(b.billed_last_90_days > 0,
               ROUND(COALESCE(o.open_amount, 0) * 90 / b.billed_last_90_days, 1), NULL)
            AS DECIMAL(10,1)) AS dso_days,
       w.readings_in_review, w.open_exceptions
  FROM (SELECT SUM(bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE))
                   AS bills_this_month,
               SUM(IF(bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE),
                      bi.total_amount, 0)) AS billed_this_month,
               SUM(IF(bi.issue_date <= CURRENT_DATE, bi.total_amount, 0)) AS billed_last_90_days
          FROM bill bi
         WHERE bi.issue_date > CURRENT_DATE - INTERVAL 90 DAY
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                               + INTERVAL 1 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments_this_month, SUM(pa.amount) AS collected_this_month
          FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                            + INTERVAL 1 MONTH
           AND pa.status = 'posted') p
  JOIN (SELECT SUM(ob.total_amount - ob.amount_paid) AS open_amount,
               COUNT(DISTINCT ob.open_account_id) AS accounts_open,
               SUM(IF(ob.open_due_date < CURRENT_DATE, ob.total_amount - ob.amount_paid, 0))
                   AS overdue_amount,
               COUNT(DISTINCT IF(ob.open_due_date < CURRENT_DATE, ob.open_account_id, NULL))
                   AS accounts_overdue
          FROM bill ob
         WHERE ob.open_account_id IS NOT NULL) o
  JOIN v_kpi_work_waiting w
