-- v_bill_usage_history: for each bill, the consumption of the account's last 13 billed periods
-- up to and including the bill's own (cancelled bills left out, but the bill itself always
-- in), for the usage chart beside "why this bill differs"; the same period last year (the
-- bill's last_year_bill_id, bill_comparison) is marked. Not contract.
--
-- Columns: bill_id (the bill whose chart this is), period_bill_id, period_start, period_end,
--   consumption_kwh, days_billed, estimated (0/1), period_rank (1 = the bill's own period,
--   up to 13), is_this_bill (0/1), is_last_year (0/1), max_kwh (the largest consumption_kwh of
--   the bill's rows: the chart's scale).
-- Example: SELECT * FROM v_bill_usage_history WHERE bill_id = 42 ORDER BY period_end;
CREATE VIEW v_bill_usage_history AS
SELECT u.bill_id, u.period_bill_id, u.period_start, u.period_end, u.consumption_kwh,
       u.days_billed, u.estimated, u.period_rank,
       (u.period_bill_id = u.bill_id) AS is_this_bill,
       (u.period_bill_id <=> u.last_year_bill_id) AS is_last_year,
       MAX(u.consumption_kwh) OVER (PARTITION BY u.bill_id) AS max_kwh
FROM (
    SELECT t.bill_id, h.bill_id AS period_bill_id, h.period_start, h.period_end,
           h.consumption_kwh, h.days_billed, h.estimated, c.last_year_bill_id,
           ROW_NUMBER() OVER (PARTITION BY t.bill_id
                              ORDER BY h.period_end DESC, h.bill_id DESC) AS period_rank
    FROM bill t
    JOIN bill h ON h.account_id = t.account_id AND h.period_end <= t.period_end
                   AND (h.cancelled_at IS NULL OR h.bill_id = t.bill_id)
    LEFT JOIN bill_comparison c ON c.bill_id = t.bill_id
) u
WHERE u.period_rank <= 13
