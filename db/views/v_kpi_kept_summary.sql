-- v_kpi_kept_summary: v_kpi_summary's row as the 5-minute job last took it (kpi_snapshot,
-- migration 0133; refresh_kpi_snapshot), with the work waiting read live (v_kpi_work_waiting).
-- No row before the first refresh. A view of the staff back office's home page, not part of the
-- contract; docs/backoffice.md, "Home pages and KPIs".
--
-- Columns: v_kpi_summary's, then
--   taken_at    when the figures were read (the refreshing session's NOW()); as_of is its day
--   age_seconds how long ago that is, by this session's clock (the page uses the figures when
--               they are of today and at most 15 minutes old)
-- Example: SELECT open_amount, taken_at FROM v_kpi_kept_summary WHERE age_seconds <= 900;
CREATE VIEW v_kpi_kept_summary AS
SELECT k.as_of, k.month_start, k.bills_this_month, k.billed_this_month, k.payments_this_month,
       k.collected_this_month, k.open_amount, k.accounts_open, k.overdue_amount,
       k.accounts_overdue, k.billed_last_90_days, k.dso_days,
       w.readings_in_review, w.open_exceptions,
       k.taken_at, TIMESTAMPDIFF(SECOND, k.taken_at, NOW()) AS age_seconds
  FROM kpi_snapshot k
  JOIN v_kpi_work_waiting w
 WHERE k.snapshot_id = 1
