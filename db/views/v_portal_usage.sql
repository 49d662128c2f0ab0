-- v_portal_usage: each account's last 13 billed periods, for the customer portal's dashboard
-- chart and its "this period / previous period / same period last year" table (not contract).
--
-- Columns: account_id, customer_id, bill_id, bill_no, period_start, period_end, days_billed,
--   consumption_kwh, kwh_per_day (consumption_kwh / days_billed, one decimal), estimated (0/1),
--   issued_total (the bill's total as issued: what the period cost), period_rank (1 = the
--   latest period), is_last_year (0/1: the same period last year of the latest period, i.e.
--   bill_comparison.last_year_bill_id of the rank-1 bill), max_kwh (the largest
--   consumption_kwh among the account's rows here: the chart's scale).
-- Cancelled bills are left out. Rows with period_rank 1..13 only: 13 monthly periods reach the
-- same month last year.
-- Example: SELECT * FROM v_portal_usage WHERE account_id = 42 ORDER BY period_end;
CREATE VIEW v_portal_usage AS
SELECT u.account_id, u.customer_id, u.bill_id, u.bill_no, u.period_start, u.period_end,
       u.days_billed, u.consumption_kwh,
       ROUND(u.consumption_kwh / NULLIF(u.days_billed, 0), 1) AS kwh_per_day,
       u.estimated, u.issued_total, u.period_rank,
       COALESCE(u.bill_id = MAX(CASE WHEN u.period_rank = 1 THEN u.last_year_bill_id END)
                                OVER (PARTITION BY u.account_id), 0) AS is_last_year,
       MAX(u.consumption_kwh) OVER (PARTITION BY u.account_id) AS max_kwh
FROM (
    SELECT b.account_id, a.customer_id, b.bill_id, b.bill_no, b.period_start, b.period_end,
           b.days_billed, b.consumption_kwh, b.estimated, b.issued_total,
           c.last_year_bill_id,
           ROW_NUMBER() OVER (PARTITION BY b.account_id
                              ORDER BY b.period_end DESC, b.bill_id DESC) AS period_rank
    FROM bill b
    JOIN account a ON a.account_id = b.account_id
    LEFT JOIN bill_comparison c ON c.bill_id = b.bill_id
    WHERE b.cancelled_at IS NULL
) u
WHERE u.period_rank <= 13
