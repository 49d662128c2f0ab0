-- v_tariff_simulation_bucket: the buckets of the what-if histogram of percent change per account
-- (simulate_tariff assigns each account of a simulation to one; v_tariff_simulation_histogram
-- counts them). The one place that defines them.
--
-- Columns: bucket_no (1..9, lowest change first), lower_pct (inclusive; NULL: no lower bound),
--   upper_pct (exclusive; NULL: no upper bound). The bucket with lower_pct = upper_pct = 0 is
--   "no change" (the account's sum is the same to the cent); an account whose bills total 0.00
--   now goes to the top bucket when it would pay something, to the bottom one when less.
-- Example: SELECT * FROM v_tariff_simulation_bucket ORDER BY bucket_no;
CREATE VIEW v_tariff_simulation_bucket AS
SELECT 1 AS bucket_no, CAST(NULL AS DECIMAL(7,2)) AS lower_pct, CAST(-20 AS DECIMAL(7,2)) AS upper_pct
UNION ALL SELECT 2, -20, -10
UNION ALL SELECT 3, -10, -5
UNION ALL SELECT 4, -5, 0
UNION ALL SELECT 5, 0, 0
UNION ALL SELECT 6, 0, 5
UNION ALL SELECT 7, 5, 10
UNION ALL SELECT 8, 10, 20
UNION ALL SELECT 9, 20, NULL
