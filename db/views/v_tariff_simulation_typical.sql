-- v_tariff_simulation_typical: what typical monthly consumption levels (100, 250, 500 and 1000
-- kWh over a 30-day period ending the simulation's date_to, an account without discounts) pay
-- with the tariff's version in force on date_to and with the proposal (simulate_tariff).
--
-- Columns: simulation_id, consumption_kwh, period_days, total_now (NULL: no version in force on
--   date_to), total_proposed, change_amount (NULL with total_now), change_pct (ROUND(100 *
--   change / total_now, 2); NULL when total_now is NULL or 0).
-- Example: SELECT * FROM v_tariff_simulation_typical WHERE simulation_id = 3 ORDER BY consumption_kwh;
CREATE VIEW v_tariff_simulation_typical AS
SELECT t.simulation_id, t.consumption_kwh, t.period_days, t.total_now, t.total_proposed,
       t.total_proposed - t.total_now AS change_amount,
       IF(t.total_now > 0, ROUND((t.total_proposed - t.total_now) * 100 / t.total_now, 2), NULL)
           AS change_pct
FROM tariff_simulation_typical t
