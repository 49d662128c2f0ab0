-- v_report_revenue: billed revenue by tariff and billing period (a report view of the staff back
-- office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   period        'YYYY-MM' of the bills' period_end
--   tariff_code, tariff_name
--   bills, consumption_kwh
--   energy_charge, fixed_charge, discount_amount (<= 0), tax_amount, late_fee, rebate_amount
--                 (granted rebates, <= 0), total_billed (the bills' current totals)
-- Cancelled bills are left out.
-- Example: SELECT * FROM v_report_revenue ORDER BY period DESC, tariff_code;
CREATE VIEW v_report_revenue AS
SELECT DATE_FORMAT(b.period_end, '%Y-%m') AS period,
       t.code AS tariff_code,
       t.name AS tariff_name,
       CAST(COUNT(*) AS UNSIGNED) AS bills,
       CAST(SUM(b.consumption_kwh) AS DECIMAL(16,4)) AS consumption_kwh,
       CAST(SUM(l.energy) AS DECIMAL(14,2)) AS energy_charge,
       CAST(SUM(l.fixed) AS DECIMAL(14,2)) AS fixed_charge,
       CAST(SUM(l.discount) AS DECIMAL(14,2)) AS discount_amount,
       CAST(SUM(l.tax) AS DECIMAL(14,2)) AS tax_amount,
       CAST(SUM(l.late_fee) AS DECIMAL(14,2)) AS late_fee,
       CAST(SUM(l.rebate) AS DECIMAL(14,2)) AS rebate_amount,
       CAST(SUM(b.total_amount) AS DECIMAL(14,2)) AS total_billed
  FROM bill b
  JOIN tariff_version v ON v.tariff_version_id = b.tariff_version_id
  JOIN tariff t ON t.tariff_id = v.tariff_id
  JOIN (SELECT bill_id,
               SUM(IF(kind = 'energy', amount, 0)) AS energy,
               SUM(IF(kind = 'fixed', amount, 0)) AS fixed,
               SUM(IF(kind = 'discount', amount, 0)) AS discount,
               SUM(IF(kind = 'tax', amount, 0)) AS tax,
               SUM(IF(kind = 'late_fee', amount, 0)) AS late_fee,
               SUM(IF(kind IN ('rebate', 'rebate_revoked'), amount, 0)) AS rebate
          FROM bill_line GROUP BY bill_id) l ON l.bill_id = b.bill_id
 WHERE b.cancelled_at IS NULL
 GROUP BY DATE_FORMAT(b.period_end, '%Y-%m'), t.code, t.name
