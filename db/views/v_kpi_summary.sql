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
--   readings_in_review                     readings waiting in the review queue
--   open_exceptions                        accounts with a billing exception not resolved by a
--                                          later bill (v_billing_exceptions.resolved = 0)
-- Speed (1M accounts): every figure is one index range: bill (issue_date, cancelled_at,
-- total_amount) and (open_due_date, ...) covering (migration 0093), payment (paid_at, status,
-- amount) covering, meter_reading (status), billing_exception via its run.
-- Example: SELECT billed_this_month, collected_this_month, dso_days FROM v_kpi_summary;
CREATE VIEW v_kpi_summary AS
SELECT s.as_of, s.month_start,
       s.bills_this_month, s.billed_this_month, s.payments_this_month, s.collected_this_month,
       s.open_amount, s.accounts_open, s.overdue_amount, s.accounts_overdue,
       s.billed_last_90_days,
       CAST(IF(s.billed_last_90_days > 0,
               ROUND(s.open_amount * 90 / s.billed_last_90_days, 1), NULL) AS DECIMAL(10,1))
           AS dso_days,
       s.readings_in_review, s.open_exceptions
  FROM (SELECT CURRENT_DATE AS as_of,
               CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) AS month_start,
               CAST((SELECT COUNT(*) FROM bill b
                      WHERE b.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                        AND b.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                                           + INTERVAL 1 MONTH
                        AND b.cancelled_at IS NULL) AS UNSIGNED) AS bills_this_month,
               CAST((SELECT COALESCE(SUM(b.total_amount), 0) FROM bill b
                      WHERE b.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                        AND b.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                                           + INTERVAL 1 MONTH
                        AND b.cancelled_at IS NULL) AS DECIMAL(14,2)) AS billed_this_month,
               CAST((SELECT COUNT(*) FROM payment p
                      WHERE p.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                        AND p.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                                        + INTERVAL 1 MONTH
                        AND p.status = 'posted') AS UNSIGNED) AS payments_this_month,
               CAST((SELECT COALESCE(SUM(p.amount), 0) FROM payment p
                      WHERE p.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                        AND p.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
                                        + INTERVAL 1 MONTH
                        AND p.status = 'posted') AS DECIMAL(14,2)) AS collected_this_month,
               CAST((SELECT COALESCE(SUM(b.total_amount - b.amount_paid), 0) FROM bill b
                      WHERE b.open_due_date IS NOT NULL) AS DECIMAL(14,2)) AS open_amount,
               CAST((SELECT COUNT(DISTINCT b.account_id) FROM bill b
                      WHERE b.open_due_date IS NOT NULL) AS UNSIGNED) AS accounts_open,
               CAST((SELECT COALESCE(SUM(b.total_amount - b.amount_paid), 0) FROM bill b
                      WHERE b.open_due_date < CURRENT_DATE) AS DECIMAL(14,2)) AS overdue_amount,
               CAST((SELECT COUNT(DISTINCT b.account_id) FROM bill b
                      WHERE b.open_due_date < CURRENT_DATE) AS UNSIGNED) AS accounts_overdue,
               CAST((SELECT COALESCE(SUM(b.total_amount), 0) FROM bill b
                      WHERE b.issue_date > CURRENT_DATE - INTERVAL 90 DAY
                        AND b.issue_date <= CURRENT_DATE
                        AND b.cancelled_at IS NULL) AS DECIMAL(14,2)) AS billed_last_90_days,
               CAST((SELECT COUNT(*) FROM meter_reading r WHERE r.status = 'review')
                    AS UNSIGNED) AS readings_in_review,
               CAST((SELECT COUNT(DISTINCT e.account_id)
                       FROM billing_exception e
                       JOIN billing_run r ON r.run_id = e.run_id
                      WHERE NOT EXISTS (SELECT 1 FROM bill b
                                         WHERE b.account_id = e.account_id
                                           AND b.cancelled_at IS NULL
                                           AND b.period_start <= r.period_end
                                           AND b.period_end >= r.period_end)) AS UNSIGNED)
                   AS open_exceptions) s
