-- v_report_consumption: metered consumption by month and tariff (a report view of the staff back
-- office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   month          'YYYY-MM' of the readings' read_on
--   tariff_code    the tariff of the account the meter was installed on at the reading (its
--                  latest installation on or before read_on)
--   meters         meters with a reading that month
--   readings       accepted actual readings (initial and estimated readings are left out)
--   consumption_kwh  their consumption (kWh since the previous reading point)
--   in_review      readings still waiting in the review queue
--   partial_month  1 for the current month (CURRENT_DATE's): its figures are still growing
-- Read from the kept figures (migration 0122): report_consumption_part, the rows
-- fold_report_deltas folded and the deltas the writers of readings appended since; exact at
-- every moment. tests/db/test_report_totals.py checks it against meter_reading.
-- Example: SELECT * FROM v_report_consumption ORDER BY month DESC, tariff_code;
CREATE VIEW v_report_consumption AS
SELECT DATE_FORMAT(s.month_start, '%Y-%m') AS month,
       t.code AS tariff_code,
       CAST(SUM(s.meters) AS UNSIGNED) AS meters,
       CAST(SUM(s.readings) AS UNSIGNED) AS readings,
       CAST(SUM(s.consumption_kwh) AS DECIMAL(16,4)) AS consumption_kwh,
       CAST(SUM(s.in_review) AS UNSIGNED) AS in_review,
       (s.month_start = CURRENT_DATE - INTERVAL (DAYOFMONTH(CURRENT_DATE) - 1) DAY) AS partial_month
  FROM report_consumption_part s
  JOIN tariff t ON t.tariff_id = s.tariff_id
 GROUP BY s.month_start, t.code
HAVING SUM(s.meters) > 0
