-- refresh_dunning_snapshot: takes the collectors' dunning list as it is now: v_dunning's accounts
-- in the list's order (level_no descending, then amount_overdue descending, then account_id) into
-- dunning_snapshot_account, one row per account numbered 1..n (rank_no), and its heading (when,
-- how many accounts, how much overdue) into dunning_snapshot (migration 0134), replacing the last
-- list. Run by `manage.py fold_report_deltas`, the 5-minute job, after refresh_kpi_snapshot. The
-- dunning page reads the kept list's rows by position while it is of today and at most 15 minutes
-- old, with each shown account's figures read live from v_dunning; otherwise it reads v_dunning
-- whole (docs/notices.md, "The dunning list").
--
-- How: as refresh_kpi_snapshot. One transaction under READ COMMITTED (unless the binary log is
-- statement-based): the bills and notices are read without a lock, so no payment, billing chunk
-- or reminder run waits for it; a page reading the kept list meanwhile reads the last list whole;
-- two refreshes take turns on dunning_snapshot's row, locked first. It reads what the page read
-- before on every visit: every overdue bill and its dunning notices (seconds at 1M accounts
-- overdue; docs/benchmarks.md).
--
-- Parameters: none. It commits a transaction the caller has open.
-- Result (one row): taken_at (its NOW()), as_of (its CURRENT_DATE), accounts, overdue (the heading).
-- Errors: none of its own; a server error rolls the refresh back (the last list stays) and
--   propagates.
-- Example: CALL refresh_dunning_snapshot();
CREATE PROCEDURE refresh_dunning_snapshot()
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
    -- one refresh at a time: the heading's row is locked first (a placeholder the very first time)
    INSERT INTO dunning_snapshot (snapshot_id, taken_at, as_of, accounts, overdue)
    VALUES (1, NOW(), '1000-01-01', 0, 0)
        ON DUPLICATE KEY UPDATE snapshot_id = snapshot_id;
    SET v_taken_at = NOW();
    DELETE FROM dunning_snapshot_account;
    -- the view's grouped columns only: its last-notice subqueries and its account and customer
    -- joins are not read (the page reads them live for its own rows)
    INSERT INTO dunning_snapshot_account (rank_no, account_id, level_no, amount_overdue,
                                          oldest_due_date)
    SELECT ROW_NUMBER() OVER (ORDER BY d.level_no DESC, d.amount_overdue DESC, d.account_id),
           d.account_id, d.level_no, d.amount_overdue, d.oldest_due_date
      FROM v_dunning d;
    UPDATE dunning_snapshot s
      JOIN (SELECT COUNT(*) AS accounts, COALESCE(SUM(amount_overdue), 0) AS overdue
              FROM dunning_snapshot_account) k
       SET s.taken_at = v_taken_at, s.as_of = DATE(v_taken_at), s.accounts = k.accounts,
           s.overdue = k.overdue
     WHERE s.snapshot_id = 1;
    COMMIT;
    SELECT taken_at, as_of, accounts, overdue FROM dunning_snapshot WHERE snapshot_id = 1;
END
