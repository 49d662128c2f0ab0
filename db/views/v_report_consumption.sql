-- v_report_consumption: metered consumption by month and tariff (a report view of the staff back
-- office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   month          'YYYY-MM' of the readings' read_on
--   tariff_code    the tariff of the account the meter is installed on
--   meters         meters with a reading that month
--   readings       accepted actual readings (initial and estimated readings are left out)
--   consumption_kwh  their consumption (kWh since the previous reading point)
--   in_review      readings still waiting in the review queue
--   partial_month  1 for the current month (CURRENT_DATE's): its figures are still growing
-- Example: SELECT * FROM v_report_consumption ORDER BY month DESC, tariff_code;
CREATE VIEW v_report_consumption AS
SELECT DATE_FORMAT(r.read_on, '%Y-%m') AS month,
       t.code AS tariff_code,
       CAST(COUNT(DISTINCT r.meter_id) AS UNSIGNED) AS meters,
       CAST(SUM(r.status = 'accepted') AS UNSIGNED) AS readings,
       CAST(SUM(IF(r.status = 'accepted', r.consumption_kwh, 0)) AS DECIMAL(16,4)) AS consumption_kwh,
       CAST(SUM(r.status = 'review') AS UNSIGNED) AS in_review,
       MAX(DATE_FORMAT(r.read_on, '%Y-%m') = DATE_FORMAT(CURRENT_DATE, '%Y-%m')) AS partial_month
  FROM meter_reading r
  JOIN meter_installation mi ON mi.meter_id = r.meter_id
  JOIN account a ON a.account_id = mi.account_id
  JOIN tariff t ON t.tariff_id = a.tariff_id
 WHERE r.kind = 'actual' AND r.status IN ('accepted', 'review')
 GROUP BY DATE_FORMAT(r.read_on, '%Y-%m'), t.code
