-- v_staff_aging_kept_total: the kept aging report's totals (refresh_aging_snapshot, migration
-- 0140), for the whole report or for one of its filters: one row per tariff and per "money
-- overdue or not", each with when the report was taken (a view of the staff back office, not part
-- of the contract; docs/backoffice.md, "Reports"). The page sums the rows its filter keeps.
--
-- Columns
--   taken_at     when the report was read (the refreshing session's NOW()); as_of is its day,
--   as_of        from which the days past due are counted
--   age_seconds  how long ago taken_at is, by this session's clock (the page uses the kept report
--                when it is of today and at most 15 minutes old)
--   tariff_code  a tariff of the kept rows; NULL in the one row of a report with no rows
--   overdue      1: the accounts of that tariff with money overdue; 0: the others; NULL as above
--   accounts, not_due, d1_30, d31_60, d61_90, d90_plus, total_open   their count and sums (0 in
--                the row of a report with no rows)
-- No row before the first refresh.
-- Example: SELECT SUM(accounts), SUM(total_open) FROM v_staff_aging_kept_total WHERE overdue = 1;
CREATE VIEW v_staff_aging_kept_total AS
SELECT s.taken_at, s.as_of, TIMESTAMPDIFF(SECOND, s.taken_at, NOW()) AS age_seconds,
       g.tariff_code, g.overdue, CAST(COALESCE(g.accounts, 0) AS UNSIGNED) AS accounts,
       CAST(COALESCE(g.not_due, 0) AS DECIMAL(16,2)) AS not_due,
       CAST(COALESCE(g.d1_30, 0) AS DECIMAL(16,2)) AS d1_30,
       CAST(COALESCE(g.d31_60, 0) AS DECIMAL(16,2)) AS d31_60,
       CAST(COALESCE(g.d61_90, 0) AS DECIMAL(16,2)) AS d61_90,
       CAST(COALESCE(g.d90_plus, 0) AS DECIMAL(16,2)) AS d90_plus,
       CAST(COALESCE(g.total_open, 0) AS DECIMAL(16,2)) AS total_open
  FROM aging_snapshot s
  LEFT JOIN aging_snapshot_group g ON TRUE
 WHERE s.snapshot_id = 1
