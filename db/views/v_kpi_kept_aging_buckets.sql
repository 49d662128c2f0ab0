-- v_kpi_kept_aging_buckets: v_kpi_aging_buckets's five rows as the 5-minute job last took them
-- (kpi_snapshot_bucket, migration 0133; refresh_kpi_snapshot), with their taken_at. A view of the
-- staff back office's home page, not part of the contract; docs/backoffice.md, "Home pages and
-- KPIs".
--
-- Columns: bucket_no, bucket, accounts, amount (as v_kpi_aging_buckets), taken_at
-- Example: SELECT bucket, amount FROM v_kpi_kept_aging_buckets ORDER BY bucket_no;
CREATE VIEW v_kpi_kept_aging_buckets AS
SELECT b.bucket_no, b.bucket, b.accounts, b.amount, k.taken_at
  FROM kpi_snapshot_bucket b
  JOIN kpi_snapshot k ON k.snapshot_id = 1
