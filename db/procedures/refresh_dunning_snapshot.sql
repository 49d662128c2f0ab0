-- refresh_dunning_snapshot: takes the collectors' dunning list as it is now: v_dunning's accounts
-- with their level, amount overdue and oldest due date into dunning_snapshot_account (migration
-- 0141; the list's order is its index, level_no descending, then amount_overdue descending, then
-- account_id), and its heading (when, how many accounts, how much overdue) into dunning_snapshot
-- (migration 0134), in place of the last list. Run by `manage.py fold_report_deltas`, the 5-minute
-- job, after refresh_kpi_snapshot. The dunning page reads the kept list's rows in its order while
-- it is of today and at most 15 minutes old, with each shown account's figures read live from
-- v_dunning; otherwise it reads v_dunning whole (docs/notices.md, "The dunning list").
--
-- How: as refresh_kpi_snapshot. One transaction under READ COMMITTED (unless the binary log is
-- statement-based): the bills and notices are read without a lock, so no payment, billing chunk
-- or reminder run waits for it; a page reading the kept list meanwhile reads the last list whole;
-- two refreshes take turns on dunning_snapshot's row, locked first. It reads what the page read
-- before on every visit, every overdue bill and its dunning notices (v_dunning's grouped columns
-- only), into a MEMORY work table (heap tables up to 1 GiB for this call, about 30 bytes an
-- account), then writes only what differs from the kept rows: accounts no longer overdue deleted,
-- a changed level, amount or oldest due date updated, accounts newly overdue inserted. So a
-- refresh writes the accounts that changed since the last one, not every account (nor a million
-- rows into the binary log every 5 minutes); the first one writes every row.
--
-- Parameters: none. It commits a transaction the caller has open.
-- Result (one row): taken_at (its NOW()), as_of (its CURRENT_DATE), accounts, overdue (the
--   heading), rows_changed (kept rows this refresh deleted, updated or inserted).
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
    DECLARE v_changed INT UNSIGNED DEFAULT 0;
    DECLARE v_heap BIGINT UNSIGNED DEFAULT @@SESSION.max_heap_table_size;
    DECLARE v_tmp BIGINT UNSIGNED DEFAULT @@SESSION.tmp_table_size;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        DROP TEMPORARY TABLE IF EXISTS dn_overdue;
        SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
        RESIGNAL;
    END;

    COMMIT;                                  -- SET TRANSACTION needs no transaction open
    SET SESSION max_heap_table_size = GREATEST(v_heap, 1073741824),
        SESSION tmp_table_size = GREATEST(v_tmp, 1073741824);
    DROP TEMPORARY TABLE IF EXISTS dn_overdue;
    CREATE TEMPORARY TABLE dn_overdue (
        account_id       INT UNSIGNED NOT NULL PRIMARY KEY,
        level_no         TINYINT UNSIGNED NOT NULL,
        amount_overdue   DECIMAL(14,2) NOT NULL,
        oldest_due_date  DATE NOT NULL
    ) ENGINE=MEMORY;
    IF v_rc THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    -- one refresh at a time: the heading's row is locked first (a placeholder the very first time)
    INSERT INTO dunning_snapshot (snapshot_id, taken_at, as_of, accounts, overdue)
    VALUES (1, NOW(), '1000-01-01', 0, 0)
        ON DUPLICATE KEY UPDATE snapshot_id = snapshot_id;
    SET v_taken_at = NOW();
    -- the view's grouped columns only: its last-notice subqueries and its account and customer
    -- joins are not read (the page reads them live for its own rows)
    INSERT INTO dn_overdue (account_id, level_no, amount_overdue, oldest_due_date)
    SELECT d.account_id, d.level_no, d.amount_overdue, d.oldest_due_date
      FROM v_dunning d;
    DELETE k FROM dunning_snapshot_account k
      LEFT JOIN dn_overdue o ON o.account_id = k.account_id
     WHERE o.account_id IS NULL;
    SET v_changed = ROW_COUNT();
    UPDATE dunning_snapshot_account k
      JOIN dn_overdue o ON o.account_id = k.account_id
       SET k.level_no = o.level_no, k.amount_overdue = o.amount_overdue,
           k.oldest_due_date = o.oldest_due_date
     WHERE (k.level_no, k.amount_overdue, k.oldest_due_date)
        <> (o.level_no, o.amount_overdue, o.oldest_due_date);
    SET v_changed = v_changed + ROW_COUNT();
    INSERT INTO dunning_snapshot_account (account_id, level_no, amount_overdue, oldest_due_date)
    SELECT o.account_id, o.level_no, o.amount_overdue, o.oldest_due_date
      FROM dn_overdue o
      LEFT JOIN dunning_snapshot_account k ON k.account_id = o.account_id
     WHERE k.account_id IS NULL;
    SET v_changed = v_changed + ROW_COUNT();
    UPDATE dunning_snapshot s
      JOIN (SELECT COUNT(*) AS accounts, COALESCE(SUM(amount_overdue), 0) AS overdue
              FROM dn_overdue) o
       SET s.taken_at = v_taken_at, s.as_of = DATE(v_taken_at), s.accounts = o.accounts,
           s.overdue = o.overdue
     WHERE s.snapshot_id = 1;
    COMMIT;
    DROP TEMPORARY TABLE dn_overdue;
    SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
    SELECT taken_at, as_of, accounts, overdue, v_changed AS rows_changed
      FROM dunning_snapshot WHERE snapshot_id = 1;
END
