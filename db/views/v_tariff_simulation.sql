-- v_tariff_simulation: the bills of a tariff what-if (simulate_tariff), each with its total as
-- issued and under the proposed version.
--
-- Columns (contract): simulation_id, bill_id, account_id, account_no, consumption_kwh,
--   total_now (the bill as issued: before rebates and late fees), total_proposed.
--   Also: bill_no, customer_name, period_end, days_billed, change_amount
--   (total_proposed - total_now).
-- Example: SELECT * FROM v_tariff_simulation WHERE simulation_id = 3 ORDER BY bill_id;
CREATE VIEW v_tariff_simulation AS
SELECT s.simulation_id, s.bill_id, s.account_id, a.account_no, s.consumption_kwh, s.total_now,
       s.total_proposed,
       b.bill_no, c.full_name AS customer_name, s.period_end, s.days_billed,
       s.total_proposed - s.total_now AS change_amount
FROM tariff_simulation_bill s
JOIN account a ON a.account_id = s.account_id
JOIN customer c ON c.customer_id = a.customer_id
JOIN bill b ON b.bill_id = s.bill_id
