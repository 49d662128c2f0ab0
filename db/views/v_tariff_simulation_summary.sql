-- v_tariff_simulation_summary: one row per tariff what-if (simulate_tariff): the proposal, the
-- range and the result.
--
-- Columns: simulation_id, tariff_id, tariff_code, tariff_name, date_from, date_to (the range of
--   bill period ends), fixed_charge, tax_rate_pct (proposed), current_version_id and
--   current_effective_from (the version in force on date_to, NULL when none), status
--   (running, completed, failed), bills, accounts, revenue_now, revenue_proposed,
--   revenue_change (proposed - now), revenue_change_pct (ROUND(100 * change / now, 2); NULL
--   when revenue_now is 0), accounts_up, accounts_down, accounts_same (each account once, by
--   the sum of its bills in the range), created_by, created_at, finished_at.
-- Example: SELECT * FROM v_tariff_simulation_summary WHERE simulation_id = 3;
CREATE VIEW v_tariff_simulation_summary AS
SELECT s.simulation_id, s.tariff_id, t.code AS tariff_code, t.name AS tariff_name,
       s.date_from, s.date_to, s.fixed_charge, s.tax_rate_pct,
       s.current_version_id, v.effective_from AS current_effective_from,
       s.status, s.bills, s.accounts, s.revenue_now, s.revenue_proposed,
       s.revenue_proposed - s.revenue_now AS revenue_change,
       IF(s.revenue_now > 0, ROUND((s.revenue_proposed - s.revenue_now) * 100 / s.revenue_now, 2),
          NULL) AS revenue_change_pct,
       s.accounts_up, s.accounts_down, s.accounts_same, s.created_by, s.created_at, s.finished_at
FROM tariff_simulation s
JOIN tariff t ON t.tariff_id = s.tariff_id
LEFT JOIN tariff_version v ON v.tariff_version_id = s.current_version_id
