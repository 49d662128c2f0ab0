-- refresh_kpi_snapshot: takes the home page's collection figures as they are now: v_kpi_summary's
-- money figures, v_kpi_aging_buckets and v_kpi_monthly into kpi_snapshot, kpi_snapshot_bucket
-- and kpi_snapshot_month (migration 0133), replacing the last set. Run by `manage.py
-- fold_report_deltas`, the 5-minute job, after its fold; the home page reads the kept set
-- (v_kpi_kept_summary, v_kpi_kept_aging_buckets, v_kpi_kept_monthly) while it is of today and at
-- most 15 minutes old, the live views otherwise (docs/backoffice.md, "Home pages and KPIs").
--
-- How: one transaction that deletes the kept rows and inserts the live views' rows. Under READ
-- COMMITTED (unless the binary log is statement-based, where the server refuses it for an
-- INSERT ... SELECT) the views' bills and payments are read without a lock, so no payment or
-- billing chunk waits for it; each statement reads what was committed when it started. A page
-- reading the kept views meanwhile reads the last set whole (a consistent read does not wait on
-- the rows being replaced); two refreshes at once take turns on kpi_snapshot's row, locked
-- first. It reads what the live views read: every open bill and twelve months of bills and
-- payments through their covering indexes (seconds at 1M accounts; docs/backoffice.md).
--
-- Parameters: none. It commits a transaction the caller has open.
-- Result (one row): taken_at (its NOW()), as_of (its CURRENT_DATE).
-- Errors: none of its own; a server error rolls the refresh back (the last set stays) and
--   propagates.
-- Example: CALL refresh_kpi_snapshot();
CREATE PROCEDURE refresh_kpi_snapshot()
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_rc TINYINT DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin
                                      AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE v_taken_at DATETIME;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    COMMIT;                                  -- SET TRANSACTION needs no transaction open
    IF v_rc THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    -- one refresh at a time: kpi_snapshot's row is locked first (inserted as a placeholder the
    -- very first time, which a refresh running beside it waits on as well); a second refresh
    -- waits here for this one to commit, then takes its own figures
    INSERT INTO kpi_snapshot (snapshot_id, taken_at, as_of, month_start, bills_this_month,
                              billed_this_month, payments_this_month, collected_this_month,
                              open_amount, accounts_open, overdue_amount, accounts_overdue,
                              billed_last_90_days)
    VALUES (1, NOW(), '1000-01-01', '1000-01-01', 0, 0, 0, 0, 0, 0, 0, 0, 0)
        ON DUPLICATE KEY UPDATE snapshot_id = snapshot_id;
    SET v_taken_at = NOW();
    DELETE FROM kpi_snapshot;
    INSERT INTO kpi_snapshot (snapshot_id, taken_at, as_of, month_start, bills_this_month,
                              billed_this_month, payments_this_month, collected_this_month,
                              open_amount, accounts_open, overdue_amount, accounts_overdue,
                              billed_last_90_days, dso_days)
    SELECT 1, v_taken_at, s.as_of, s.month_start, s.bills_this_month, s.billed_this_month,
           s.payments_this_month, s.collected_this_month, s.open_amount, s.accounts_open,
           s.overdue_amount, s.accounts_overdue, s.billed_last_90_days, s.dso_days
      FROM v_kpi_summary s;
    DELETE FROM kpi_snapshot_bucket;
    INSERT INTO kpi_snapshot_bucket (bucket_no, bucket, accounts, amount)
    SELECT b.bucket_no, b.bucket, b.accounts, b.amount FROM v_kpi_aging_buckets b;
    DELETE FROM kpi_snapshot_month;
    INSERT INTO kpi_snapshot_month (months_ago, month, month_start, partial_month, bills, billed,
                                    payments, collected)
    SELECT m.months_ago, m.month, m.month_start, m.partial_month, m.bills, m.billed, m.payments,
           m.collected
      FROM v_kpi_monthly m;
    COMMIT;
    SELECT v_taken_at AS taken_at, DATE(v_taken_at) AS as_of;
END
