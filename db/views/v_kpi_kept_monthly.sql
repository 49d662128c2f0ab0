-- v_kpi_kept_monthly: v_kpi_monthly's twelve rows as the 5-minute job last took them
-- (kpi_snapshot_month, migration 0133; refresh_kpi_snapshot), with their taken_at. A view of the
-- staff back office's home page, not part of the contract; docs/backoffice.md, "Home pages and
-- KPIs".
--
-- Columns: month, month_start, months_ago, partial_month, bills, billed, payments, collected
--   (as v_kpi_monthly), taken_at
-- Example: SELECT month, billed, collected FROM v_kpi_kept_monthly ORDER BY month;
CREATE VIEW v_kpi_kept_monthly AS
SELECT m.month, m.month_start, m.months_ago, m.partial_month, m.bills, m.billed, m.payments,
       m.collected, k.taken_at
  FROM kpi_snapshot_month m
  JOIN kpi_snapshot k ON k.snapshot_id = 1
