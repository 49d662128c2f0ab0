-- v_staff_billing_run: billing runs with their progress and number of exceptions (a helper view
-- of the staff back office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   run_id, period_start, period_end, issue_date, due_days, status (running, completed, failed)
--   accounts_total, accounts_done   progress (of a running run: its chunks done, added up by
--                                   v_billing_run_progress)
--   bills_created, accounts_skipped, total_billed, started_by, started_at, finished_at
--   exceptions                      rows of v_billing_exceptions for the run
--   open_exceptions                 of those, the ones not resolved by a later bill
--   estimated_bills                 bills of the run whose end reading was estimated
-- Example: SELECT accounts_done, accounts_total, status FROM v_staff_billing_run WHERE run_id = 3;
CREATE VIEW v_staff_billing_run AS
SELECT r.run_id, r.period_start, r.period_end, r.issue_date, r.due_days, r.status,
       r.accounts_total,
       CAST(IF(c.run_id IS NULL, r.accounts_done, c.accounts_done) AS UNSIGNED) AS accounts_done,
       CAST(IF(c.run_id IS NULL, r.bills_created, c.bills_created) AS UNSIGNED) AS bills_created,
       CAST(IF(c.run_id IS NULL, r.accounts_skipped, c.accounts_done - c.bills_created)
            AS UNSIGNED) AS accounts_skipped,
       CAST(IF(c.run_id IS NULL, r.total_billed, c.total_billed) AS DECIMAL(14,2)) AS total_billed,
       r.started_by, r.started_at, r.finished_at,
       CAST((SELECT COUNT(*) FROM billing_exception e WHERE e.run_id = r.run_id) AS UNSIGNED)
           AS exceptions,
       CAST((SELECT COUNT(*) FROM billing_exception e
              WHERE e.run_id = r.run_id
                AND NOT EXISTS (SELECT 1 FROM bill b
                                 WHERE b.account_id = e.account_id AND b.cancelled_at IS NULL
                                   AND b.period_start <= r.period_end
                                   AND b.period_end >= r.period_end)) AS UNSIGNED)
           AS open_exceptions,
       CAST((SELECT COUNT(*) FROM bill b WHERE b.run_id = r.run_id AND b.estimated = 1)
            AS UNSIGNED) AS estimated_bills
  FROM billing_run r
  LEFT JOIN v_billing_run_progress c ON c.run_id = r.run_id
