-- v_billing_run: the billing runs and their progress (helper view for the batch commands).
--
-- Columns: run_id, period_start, period_end, issue_date, due_days, status (running, completed,
--   failed), accounts_total, accounts_done, bills_created, accounts_skipped, total_billed,
--   started_by, started_at, finished_at.
-- Progress: a run that is running keeps it on its chunk rows (each chunk's transaction writes its
-- own; migration 0131), added up here from the chunks done; a run that has ended has the sums on
-- its row (_finish_billing_run).
-- A run that is 'running' while no session runs it was cut off (a crash); re-running the period
-- bills the rest (see run_billing). `manage.py run_billing` polls this view from a second
-- connection to draw its progress bar (billing_batch has SELECT on the views, not on tables).
-- Example: SELECT accounts_done, accounts_total FROM v_billing_run WHERE run_id = 12;
CREATE VIEW v_billing_run AS
SELECT r.run_id, r.period_start, r.period_end, r.issue_date, r.due_days, r.status,
       r.accounts_total,
       CAST(IF(c.run_id IS NULL, r.accounts_done, c.accounts_done) AS UNSIGNED) AS accounts_done,
       CAST(IF(c.run_id IS NULL, r.bills_created, c.bills_created) AS UNSIGNED) AS bills_created,
       CAST(IF(c.run_id IS NULL, r.accounts_skipped, c.accounts_done - c.bills_created)
            AS UNSIGNED) AS accounts_skipped,
       CAST(IF(c.run_id IS NULL, r.total_billed, c.total_billed) AS DECIMAL(14,2)) AS total_billed,
       r.started_by, r.started_at, r.finished_at
FROM billing_run r
LEFT JOIN v_billing_run_progress c ON c.run_id = r.run_id
