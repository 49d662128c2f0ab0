-- refresh_aging_snapshot: takes the aging report as it is now: v_report_aging's rows into
-- aging_snapshot_account (one per account with money open, with the account's tariff), the same
-- rows summed by tariff and by whether money is overdue into aging_snapshot_group, and when into
-- aging_snapshot (migration 0140), in place of the last report. Run by `manage.py
-- fold_report_deltas`, the 5-minute job, after refresh_dunning_snapshot. The report's page reads
-- the kept report while it is of today and at most 15 minutes old, and v_report_aging otherwise
-- or when asked for the figures now (docs/backoffice.md, "Reports").
--
-- How: one transaction under READ COMMITTED (unless the binary log is statement-based), as
-- refresh_dunning_snapshot: the bills are read without a lock, so no payment, billing chunk or
-- cancel waits for it; a page reading the kept report meanwhile reads the last one whole; two
-- refreshes take turns on aging_snapshot's row, locked first. It reads what the page read on
-- every visit, every open bill grouped by account (v_aging, in the open-bill index's order), with
-- each account's tariff, into a MEMORY work table (room for it is made for this call: heap and
-- temporary tables up to 1 GiB, about 130 bytes an account), and then writes only what differs
-- from the kept rows: accounts with nothing open any more deleted, changed figures or tariff
-- updated, new accounts inserted. Between two refreshes a few accounts change (a payment, a bill,
-- a late fee, a bill crossing into the next bucket at midnight), so a refresh writes those rows,
-- not a million (nor a million rows into the binary log every 5 minutes). The first refresh
-- writes every row. At 1M accounts with money open: about 9 s (14 s the first time): 5.5 s
-- reading v_aging and the accounts' tariffs, 3 s comparing, 0.8 s the sums (docs/benchmarks.md).
--
-- Parameters: none. It commits a transaction the caller has open.
-- Result (one row): taken_at (its NOW()), as_of (its CURRENT_DATE), accounts (rows kept),
--   total_open (their money open), rows_changed (kept rows this refresh deleted, updated or
--   inserted).
-- Errors: none of its own; a server error rolls the refresh back (the last report stays) and
--   propagates.
-- Example: CALL refresh_aging_snapshot();
CREATE PROCEDURE refresh_aging_snapshot()
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
        DROP TEMPORARY TABLE IF EXISTS ag_open;
        SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
        RESIGNAL;
    END;

    COMMIT;                                  -- SET TRANSACTION needs no transaction open
    SET SESSION max_heap_table_size = GREATEST(v_heap, 1073741824),
        SESSION tmp_table_size = GREATEST(v_tmp, 1073741824);
    DROP TEMPORARY TABLE IF EXISTS ag_open;
    CREATE TEMPORARY TABLE ag_open (
        account_id  INT UNSIGNED NOT NULL PRIMARY KEY,
        tariff_code VARCHAR(20) NOT NULL,
        not_due     DECIMAL(14,2) NOT NULL,
        d1_30       DECIMAL(14,2) NOT NULL,
        d31_60      DECIMAL(14,2) NOT NULL,
        d61_90      DECIMAL(14,2) NOT NULL,
        d90_plus    DECIMAL(14,2) NOT NULL,
        total_open  DECIMAL(14,2) NOT NULL
    ) ENGINE=MEMORY;
    IF v_rc THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    -- one refresh at a time: the heading's row is locked first (a placeholder the very first time)
    INSERT INTO aging_snapshot (snapshot_id, taken_at, as_of)
    VALUES (1, NOW(), '1000-01-01')
        ON DUPLICATE KEY UPDATE snapshot_id = snapshot_id;
    SET v_taken_at = NOW();
    -- v_aging's groups first, then each account by its key (STRAIGHT_JOIN: joined first, the
    -- account was planned as a look-up of its open bills per account, twice as slow)
    INSERT INTO ag_open (account_id, tariff_code, not_due, d1_30, d31_60, d61_90, d90_plus,
                         total_open)
    SELECT STRAIGHT_JOIN g.account_id, t.code, g.not_due, g.d1_30, g.d31_60, g.d61_90, g.d90_plus,
           g.total_open
      FROM v_aging g
      JOIN account a ON a.account_id = g.account_id
      JOIN tariff t ON t.tariff_id = a.tariff_id;
    DELETE k FROM aging_snapshot_account k
      LEFT JOIN ag_open o ON o.account_id = k.account_id
     WHERE o.account_id IS NULL;
    SET v_changed = ROW_COUNT();
    UPDATE aging_snapshot_account k
      JOIN ag_open o ON o.account_id = k.account_id
       SET k.tariff_code = o.tariff_code, k.not_due = o.not_due, k.d1_30 = o.d1_30,
           k.d31_60 = o.d31_60, k.d61_90 = o.d61_90, k.d90_plus = o.d90_plus,
           k.total_open = o.total_open
     WHERE (k.tariff_code, k.not_due, k.d1_30, k.d31_60, k.d61_90, k.d90_plus, k.total_open)
        <> (o.tariff_code, o.not_due, o.d1_30, o.d31_60, o.d61_90, o.d90_plus, o.total_open);
    SET v_changed = v_changed + ROW_COUNT();
    INSERT INTO aging_snapshot_account (account_id, tariff_code, not_due, d1_30, d31_60, d61_90,
                                        d90_plus, total_open)
    SELECT o.account_id, o.tariff_code, o.not_due, o.d1_30, o.d31_60, o.d61_90, o.d90_plus,
           o.total_open
      FROM ag_open o
      LEFT JOIN aging_snapshot_account k ON k.account_id = o.account_id
     WHERE k.account_id IS NULL;
    SET v_changed = v_changed + ROW_COUNT();
    -- the sums by tariff and overdue or not, from the work table (the kept rows are the same now)
    DELETE FROM aging_snapshot_group;
    INSERT INTO aging_snapshot_group (tariff_code, overdue, accounts, not_due, d1_30, d31_60,
                                      d61_90, d90_plus, total_open)
    SELECT o.tariff_code, o.total_open > o.not_due, COUNT(*), SUM(o.not_due), SUM(o.d1_30),
           SUM(o.d31_60), SUM(o.d61_90), SUM(o.d90_plus), SUM(o.total_open)
      FROM ag_open o
     GROUP BY o.tariff_code, o.total_open > o.not_due;
    UPDATE aging_snapshot s
       SET s.taken_at = v_taken_at, s.as_of = DATE(v_taken_at)
     WHERE s.snapshot_id = 1;
    COMMIT;
    DROP TEMPORARY TABLE ag_open;
    SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
    SELECT s.taken_at, s.as_of, CAST(COALESCE(SUM(g.accounts), 0) AS UNSIGNED) AS accounts,
           CAST(COALESCE(SUM(g.total_open), 0) AS DECIMAL(16,2)) AS total_open,
           v_changed AS rows_changed
      FROM aging_snapshot s
      LEFT JOIN aging_snapshot_group g ON TRUE
     WHERE s.snapshot_id = 1
     GROUP BY s.snapshot_id, s.taken_at, s.as_of;
END
