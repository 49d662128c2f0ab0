-- refresh_aging_snapshot: takes the aging report as it is now: v_report_aging's rows in the
-- report's order (total_open descending, then account_id) into aging_snapshot_account, one row
-- per account numbered 1..n (rank_no), the same rows summed by tariff and by whether money is
-- overdue into aging_snapshot_group, and when into aging_snapshot (migration 0140), replacing the
-- last report. Run by `manage.py fold_report_deltas`, the 5-minute job, after
-- refresh_dunning_snapshot. The report's page reads the kept report while it is of today and at
-- most 15 minutes old, and v_report_aging otherwise or when asked for the figures now
-- (docs/backoffice.md, "Reports").
--
-- How: as refresh_dunning_snapshot. One transaction under READ COMMITTED (unless the binary log
-- is statement-based): the bills are read without a lock, so no payment, billing chunk or cancel
-- waits for it; a page reading the kept report meanwhile reads the last one whole; two refreshes
-- take turns on aging_snapshot's row, locked first. It reads what the page read on every visit:
-- every open bill, grouped by account in the open-bill index's order (v_aging), into a work table;
-- then numbers the work rows in the report's order with each account's tariff. Two steps, not one:
-- v_aging joined to the account in one statement was planned as a look-up of the account's open
-- bills per account (MariaDB's split derived table) and took twice as long. The window's sort is
-- kept in memory (sort buffer 256 MiB, temporary tables up to 1 GiB, for this call only): at 1M
-- accounts, 2.8 s instead of 6.4 s on disk. At 1M accounts with money open: about 12 s
-- (docs/benchmarks.md).
--
-- Parameters: none. It commits a transaction the caller has open.
-- Result (one row): taken_at (its NOW()), as_of (its CURRENT_DATE), accounts (rows kept),
--   total_open (their money open).
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
    DECLARE v_sort BIGINT UNSIGNED DEFAULT @@SESSION.sort_buffer_size;
    DECLARE v_heap BIGINT UNSIGNED DEFAULT @@SESSION.max_heap_table_size;
    DECLARE v_tmp BIGINT UNSIGNED DEFAULT @@SESSION.tmp_table_size;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        DROP TEMPORARY TABLE IF EXISTS ag_open;
        SET SESSION sort_buffer_size = v_sort, SESSION max_heap_table_size = v_heap,
            SESSION tmp_table_size = v_tmp;
        RESIGNAL;
    END;

    COMMIT;                                  -- SET TRANSACTION needs no transaction open
    SET SESSION sort_buffer_size = GREATEST(v_sort, 268435456),
        SESSION max_heap_table_size = GREATEST(v_heap, 1073741824),
        SESSION tmp_table_size = GREATEST(v_tmp, 1073741824);
    DROP TEMPORARY TABLE IF EXISTS ag_open;
    CREATE TEMPORARY TABLE ag_open (
        account_id  INT UNSIGNED NOT NULL PRIMARY KEY,
        not_due     DECIMAL(14,2) NOT NULL,
        d1_30       DECIMAL(14,2) NOT NULL,
        d31_60      DECIMAL(14,2) NOT NULL,
        d61_90      DECIMAL(14,2) NOT NULL,
        d90_plus    DECIMAL(14,2) NOT NULL,
        total_open  DECIMAL(14,2) NOT NULL
    ) ENGINE=InnoDB;
    IF v_rc THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    -- one refresh at a time: the heading's row is locked first (a placeholder the very first time)
    INSERT INTO aging_snapshot (snapshot_id, taken_at, as_of)
    VALUES (1, NOW(), '1000-01-01')
        ON DUPLICATE KEY UPDATE snapshot_id = snapshot_id;
    SET v_taken_at = NOW();
    INSERT INTO ag_open (account_id, not_due, d1_30, d31_60, d61_90, d90_plus, total_open)
    SELECT g.account_id, g.not_due, g.d1_30, g.d31_60, g.d61_90, g.d90_plus, g.total_open
      FROM v_aging g;
    DELETE FROM aging_snapshot_account;
    -- the customer's name and phone are not kept (the page joins them for its 50 rows)
    INSERT INTO aging_snapshot_account (rank_no, account_id, tariff_code, not_due, d1_30, d31_60,
                                        d61_90, d90_plus, total_open)
    SELECT STRAIGHT_JOIN ROW_NUMBER() OVER (ORDER BY o.total_open DESC, o.account_id),
           o.account_id, t.code, o.not_due, o.d1_30, o.d31_60, o.d61_90, o.d90_plus, o.total_open
      FROM ag_open o
      JOIN account a ON a.account_id = o.account_id
      JOIN tariff t ON t.tariff_id = a.tariff_id;
    DELETE FROM aging_snapshot_group;
    INSERT INTO aging_snapshot_group (tariff_code, overdue, accounts, not_due, d1_30, d31_60,
                                      d61_90, d90_plus, total_open)
    SELECT k.tariff_code, k.total_open > k.not_due, COUNT(*), SUM(k.not_due), SUM(k.d1_30),
           SUM(k.d31_60), SUM(k.d61_90), SUM(k.d90_plus), SUM(k.total_open)
      FROM aging_snapshot_account k
     GROUP BY k.tariff_code, k.total_open > k.not_due;
    UPDATE aging_snapshot s
       SET s.taken_at = v_taken_at, s.as_of = DATE(v_taken_at)
     WHERE s.snapshot_id = 1;
    COMMIT;
    DROP TEMPORARY TABLE ag_open;
    SET SESSION sort_buffer_size = v_sort, SESSION max_heap_table_size = v_heap,
        SESSION tmp_table_size = v_tmp;
    SELECT s.taken_at, s.as_of, CAST(COALESCE(SUM(g.accounts), 0) AS UNSIGNED) AS accounts,
           CAST(COALESCE(SUM(g.total_open), 0) AS DECIMAL(16,2)) AS total_open
      FROM aging_snapshot s
      LEFT JOIN aging_snapshot_group g ON TRUE
     WHERE s.snapshot_id = 1
     GROUP BY s.snapshot_id, s.taken_at, s.as_of;
END
