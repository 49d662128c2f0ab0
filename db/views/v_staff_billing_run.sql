-- v_staff_billing_run: billing runs with their progress and number of exceptions (a helper view
-- of the staff back office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   run_id, period_start, period_end, issue_date, due_days, status (running, completed, failed)
--   accounts_total, accounts_done   progress (v_billing_run's: of a running run, its chunks
--                                   done added up)
--   bills_created, accounts_skipped, total_billed, started_by, started_at, finished_at
--   exceptions                      rows of v_billing_exceptions for the run
--   open_exceptions                 of those, the ones not resolved by a later bill
--   estimated_bills                 bills of the run whose end reading was estimated
-- Example: SELECT accounts_done, accounts_total, status FROM v_staff_billing_run WHERE run_id = 3;
CREATE VIEW v_staff_billing_run AS
SELECT r.run_id, r.period_start, r.period_end, r.issue_date, r.due_days, r.status,
       r.accounts_total, r.accounts_done, r.bills_created, r.accounts_skipped, r.total_billed,
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
  FROM v_billing_run r
