-- v_billing_run: the billing runs and their progress (helper view for the batch commands).
--
-- Columns: run_id, period_start, period_end, issue_date, due_days, status (running, completed,
--   failed), accounts_total, accounts_done, bills_created, accounts_skipped, total_billed,
--   started_by, started_at, finished_at.
-- A run that is 'running' while no session runs it was cut off (a crash); re-running the period
-- bills the rest (see run_billing). `manage.py run_billing` polls this view from a second
-- connection to draw its progress bar (billing_batch has SELECT on the views, not on tables).
-- Example: SELECT accounts_done, accounts_total FROM v_billing_run WHERE run_id = 12;
CREATE VIEW v_billing_run AS
SELECT run_id, period_start, period_end, issue_date, due_days, status, accounts_total,
       accounts_done, bills_created, accounts_skipped, total_billed, started_by, started_at,
       finished_at
FROM billing_run
