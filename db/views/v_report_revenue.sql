-- v_report_revenue: billed revenue by tariff and billing period (a report view of the staff back
-- office, not part of the contract; see docs/backoffice.md, "Reports").
--
-- Columns
--   period        'YYYY-MM' of the bills' period_end
--   tariff_code, tariff_name
--   bills, consumption_kwh
--   energy_charge, fixed_charge, discount_amount (<= 0), tax_amount, late_fee, rebate_amount
--                 (granted rebates, <= 0), total_billed (the bills' current totals)
-- Cancelled bills are left out.
--
-- Read from the kept figures (migration 0121): report_revenue_part, the rows fold_report_deltas
-- folded and the deltas the writers appended since (a billing chunk, a rebate, a late-fee run, a
-- cancelled bill: each in its own transaction). Their sum is exact at every moment; the fold
-- keeps the rows few. A group whose bills were all cancelled has no row. tests/db/test_report_totals.py checks it against bill and bill_line.
-- Example: SELECT * FROM v_report_revenue ORDER BY period DESC, tariff_code;
CREATE VIEW v_report_revenue AS
SELECT DATE_FORMAT(s.month_start, '%Y-%m') AS period,
       t.code AS tariff_code,
       t.name AS tariff_name,
       CAST(SUM(s.bills) AS UNSIGNED) AS bills,
       CAST(SUM(s.consumption_kwh) AS DECIMAL(16,4)) AS consumption_kwh,
       CAST(SUM(s.energy_charge) AS DECIMAL(14,2)) AS energy_charge,
       CAST(SUM(s.fixed_charge) AS DECIMAL(14,2)) AS fixed_charge,
       CAST(SUM(s.discount_amount) AS DECIMAL(14,2)) AS discount_amount,
       CAST(SUM(s.tax_amount) AS DECIMAL(14,2)) AS tax_amount,
       CAST(SUM(s.late_fee) AS DECIMAL(14,2)) AS late_fee,
       CAST(SUM(s.rebate_amount) AS DECIMAL(14,2)) AS rebate_amount,
       CAST(SUM(s.total_billed) AS DECIMAL(14,2)) AS total_billed
  FROM report_revenue_part s
  JOIN tariff_version v ON v.tariff_version_id = s.tariff_version_id
  JOIN tariff t ON t.tariff_id = v.tariff_id
 GROUP BY s.month_start, t.code, t.name
HAVING SUM(s.bills) > 0
