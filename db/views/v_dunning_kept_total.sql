-- v_dunning_kept_total: the kept dunning list's heading (refresh_dunning_snapshot, migration
-- 0134): when it was taken, how many accounts it lists and the money overdue on them then (a view
-- of the staff back office, not part of the contract; docs/notices.md, "The dunning list").
--
-- Columns
--   taken_at     when the list was read (the refreshing session's NOW()); as_of is its day
--   as_of
--   accounts     the kept list's rows
--   overdue      their amount_overdue summed, as taken
--   age_seconds  how long ago taken_at is, by this session's clock (the page uses the kept list
--                when it is of today and at most 15 minutes old)
-- No row before the first refresh.
-- Example: SELECT accounts, overdue FROM v_dunning_kept_total WHERE as_of = CURRENT_DATE;
CREATE VIEW v_dunning_kept_total AS
SELECT s.taken_at, s.as_of, s.accounts, s.overdue,
       TIMESTAMPDIFF(SECOND, s.taken_at, NOW()) AS age_seconds
  FROM dunning_snapshot s
 WHERE s.snapshot_id = 1
