-- v_billing_run_progress: the progress of the billing runs that are running, added up from
-- their chunks done (billing_run_chunk, migration 0131); one row per running run that has a
-- chunk done. A helper of v_billing_run (and so of v_staff_billing_run) while the run runs, and
-- of _finish_billing_run, which writes the same sums on the run row when the run ends.
--
-- Columns: run_id, chunks_done, accounts_done, bills_created, total_billed.
-- Example: SELECT accounts_done FROM v_billing_run_progress WHERE run_id = 12;
CREATE VIEW v_billing_run_progress AS
SELECT c.run_id, COUNT(*) AS chunks_done, SUM(c.accounts) AS accounts_done,
       SUM(c.bills_created) AS bills_created, SUM(COALESCE(c.total_billed, 0)) AS total_billed
FROM billing_run r
JOIN billing_run_chunk c ON c.run_id = r.run_id AND c.status = 'done'
WHERE r.status = 'running'
GROUP BY c.run_id
