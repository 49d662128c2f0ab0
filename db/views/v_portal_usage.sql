-- v_portal_usage: the consumption of each account's last 12 billed periods, for the customer
-- portal's chart (not contract).
--
-- Columns: account_id, customer_id, bill_id, period_start, period_end, consumption_kwh,
--   estimated (0/1), period_rank (1 = the latest period), max_kwh (the largest
--   consumption_kwh among the account's rows here: the chart's scale).
-- Cancelled bills are left out. Rows with period_rank 1..12 only.
-- Example: SELECT * FROM v_portal_usage WHERE account_id = 42 ORDER BY period_end;
CREATE VIEW v_portal_usage AS
SELECT u.account_id, u.customer_id, u.bill_id, u.period_start, u.period_end, u.consumption_kwh,
       u.estimated, u.period_rank,
       MAX(u.consumption_kwh) OVER (PARTITION BY u.account_id) AS max_kwh
FROM (
    SELECT b.account_id, a.customer_id, b.bill_id, b.period_start, b.period_end,
           b.consumption_kwh, b.estimated,
           ROW_NUMBER() OVER (PARTITION BY b.account_id
                              ORDER BY b.period_end DESC, b.bill_id DESC) AS period_rank
    FROM bill b
    JOIN account a ON a.account_id = b.account_id
    WHERE b.cancelled_at IS NULL
) u
WHERE u.period_rank <= 12
