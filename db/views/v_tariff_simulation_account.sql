-- v_tariff_simulation_account: per account of a tariff what-if (simulate_tariff), the sums of
-- its bills in the range now and under the proposal; the page's most affected accounts and
-- its per-account CSV.
--
-- Columns: simulation_id, account_id, account_no, customer_name, bills, consumption_kwh,
--   total_now, total_proposed, change_amount (proposed - now), change_pct (ROUND(100 * change
--   / total_now, 2); NULL when total_now is 0), bucket_no (v_tariff_simulation_bucket).
-- Example: the 10 largest increases:
--   SELECT * FROM v_tariff_simulation_account WHERE simulation_id = 3
--   ORDER BY change_amount DESC LIMIT 10;
CREATE VIEW v_tariff_simulation_account AS
SELECT s.simulation_id, s.account_id, a.account_no, c.full_name AS customer_name, s.bills,
       s.consumption_kwh, s.total_now, s.total_proposed, s.change_amount, s.change_pct, s.bucket_no
FROM tariff_simulation_account s
JOIN account a ON a.account_id = s.account_id
JOIN customer c ON c.customer_id = a.customer_id
