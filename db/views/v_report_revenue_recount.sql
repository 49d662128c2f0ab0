-- v_report_revenue_recount: the revenue report's figures counted again from the rows they sum,
-- per month of the bills' period_end and tariff version: what report_revenue_part (migration 0121)
-- adds up to when every writer appended its delta. Read by v_ledger_integrity (its
-- report_revenue check) and rebuild_report_totals; the report pages never read it (every bill
-- and bill line: about 30 s at 1M accounts).
--
-- Columns: month_start (first day of the month of period_end), tariff_version_id, bills,
--   consumption_kwh, energy_charge, fixed_charge, discount_amount, tax_amount, late_fee,
--   rebate_amount (rebate and rebate_revoked lines), total_billed (the bills' current totals).
-- Cancelled bills are left out.
-- Example: SELECT * FROM v_report_revenue_recount ORDER BY month_start, tariff_version_id;
CREATE VIEW v_report_revenue_recount AS
SELECT r.month_start, r.tariff_version_id, COUNT(*) AS bills,
       SUM(r.consumption_kwh) AS consumption_kwh, SUM(r.energy) AS energy_charge,
       SUM(r.fixed) AS fixed_charge, SUM(r.discount) AS discount_amount, SUM(r.tax) AS tax_amount,
       SUM(r.late_fee) AS late_fee, SUM(r.rebate) AS rebate_amount,
       SUM(r.total_amount) AS total_billed
  FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
               b.tariff_version_id, b.consumption_kwh, b.total_amount, l.energy, l.fixed,
               l.discount, l.tax, l.late_fee, l.rebate
          FROM bill b
          JOIN (SELECT bill_id,
                       SUM(IF(kind = 'energy', amount, 0)) AS energy,
                       SUM(IF(kind = 'fixed', amount, 0)) AS fixed,
                       SUM(IF(kind = 'discount', amount, 0)) AS discount,
                       SUM(IF(kind = 'tax', amount, 0)) AS tax,
                       SUM(IF(kind = 'late_fee', amount, 0)) AS late_fee,
                       SUM(IF(kind IN ('rebate', 'rebate_revoked'), amount, 0)) AS rebate
                  FROM bill_line GROUP BY bill_id) l ON l.bill_id = b.bill_id
         WHERE b.cancelled_at IS NULL) r
 GROUP BY r.month_start, r.tariff_version_id
