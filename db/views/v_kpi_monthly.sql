-- v_kpi_monthly: billed against collected in each of the last 12 calendar months, the current
-- one included (twelve rows, months without activity included; a view of the staff back office's
-- home page, not part of the contract; see docs/backoffice.md, "Home pages and KPIs").
--
-- Columns
--   month ('YYYY-MM'), month_start, months_ago (0 = the current month)
--   partial_month       1 for the current month: it is not over, its figures still grow
--   bills, billed       bills issued that month (issue_date), not cancelled; their current totals
--   payments, collected payments paid that month (paid_at) that stand (status 'posted')
-- Speed (1M accounts): a branch per month, each two index ranges with constant bounds over
-- covering indexes (migration 0093), no table row and no grouping: bill (issue_date,
-- cancelled_at, total_amount) and payment (paid_at, status, amount). Every index entry of the 12
-- months is read once. (Correlated sums per month scanned the whole index 48 times on MariaDB,
-- which cannot range-scan on an outer column; one GROUP BY month needed a temporary table and
-- took 2-3 times as long.) Measured in docs/backoffice.md, "Home pages and KPIs".
-- Example: SELECT month, billed, collected FROM v_kpi_monthly ORDER BY month;
CREATE VIEW v_kpi_monthly AS
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE), '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) AS month_start, 0 AS months_ago,
       CAST(1 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) + INTERVAL 1 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) + INTERVAL 1 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 1 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 1 MONTH AS month_start, 1 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 1 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 1 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE)
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 2 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 2 MONTH AS month_start, 2 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 2 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 1 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 2 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 1 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 3 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 3 MONTH AS month_start, 3 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 3 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 2 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 3 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 2 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 4 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 4 MONTH AS month_start, 4 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 4 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 3 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 4 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 3 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 5 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 5 MONTH AS month_start, 5 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 5 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 4 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 5 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 4 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 6 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 6 MONTH AS month_start, 6 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 6 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 5 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 6 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 5 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 7 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 7 MONTH AS month_start, 7 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 7 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 6 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 7 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 6 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 8 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 8 MONTH AS month_start, 8 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 8 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 7 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 8 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 7 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 9 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 9 MONTH AS month_start, 9 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 9 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 8 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 9 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 8 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 10 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 10 MONTH AS month_start, 10 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 10 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 9 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 10 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 9 MONTH
           AND pa.status = 'posted') p
UNION ALL
SELECT DATE_FORMAT(CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 11 MONTH, '%Y-%m') AS month,
       CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 11 MONTH AS month_start, 11 AS months_ago,
       CAST(0 AS UNSIGNED) AS partial_month,
       CAST(b.bills AS UNSIGNED) AS bills, CAST(COALESCE(b.billed, 0) AS DECIMAL(14,2)) AS billed,
       CAST(p.payments AS UNSIGNED) AS payments,
       CAST(COALESCE(p.collected, 0) AS DECIMAL(14,2)) AS collected
  FROM (SELECT COUNT(*) AS bills, SUM(bi.total_amount) AS billed FROM bill bi
         WHERE bi.issue_date >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 11 MONTH
           AND bi.issue_date < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 10 MONTH
           AND bi.cancelled_at IS NULL) b
  JOIN (SELECT COUNT(*) AS payments, SUM(pa.amount) AS collected FROM payment pa
         WHERE pa.paid_at >= CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 11 MONTH
           AND pa.paid_at < CAST(DATE_FORMAT(CURRENT_DATE, '%Y-%m-01') AS DATE) - INTERVAL 10 MONTH
           AND pa.status = 'posted') p
