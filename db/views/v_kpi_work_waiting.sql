-- v_kpi_work_waiting: the work waiting on the billing admin's and the manager's home page (one
-- row; a view of the staff back office, not part of the contract; docs/backoffice.md, "Home
-- pages and KPIs"). Always read live, beside the live figures (v_kpi_summary) or the kept ones
-- (v_kpi_kept_summary): cheap, and a count that must drop when the work is done.
--
-- Columns
--   readings_in_review   readings waiting in the review queue (ix_reading_status)
--   open_exceptions      accounts with a billing exception not resolved by a later bill
--                        (v_billing_exceptions.resolved = 0)
-- Example: SELECT readings_in_review, open_exceptions FROM v_kpi_work_waiting;
CREATE VIEW v_kpi_work_waiting AS
SELECT CAST((SELECT COUNT(*) FROM meter_reading r WHERE r.status = 'review') AS UNSIGNED)
           AS readings_in_review,
       CAST((SELECT COUNT(DISTINCT e.account_id)
               FROM billing_exception e
               JOIN billing_run r ON r.run_id = e.run_id
              WHERE NOT EXISTS (SELECT 1 FROM bill x
                                 WHERE x.account_id = e.account_id
                                   AND x.cancelled_at IS NULL
                                   AND x.period_start <= r.period_end
                                   AND x.period_end >= r.period_end)) AS UNSIGNED)
           AS open_exceptions
