-- _store_bills: stores the bills _compute_bills computed (work tables bc_acct, bc_line), inside the
-- caller's transaction, which holds the locks _compute_bills took (p_lock = 1): estimated end
-- readings (and the re-based step of a point after one), bills with gapless numbers per year of
-- the issue date, their lines and the discounts they applied (bill_discount, with the
-- percentage: the tariff what-if prices a bill with its own), the comparison ("why this bill
-- differs"), ledger debits, the bill notices, the revenue and consumption reports' deltas, the
-- exceptions; then credit on the accounts goes to their open bills. The chunk's figures go back
-- to the caller, which writes them where it keeps the run's progress (its chunk row, or
-- bill_account's one-account run row).
--
-- Parameters
--   p_run_id            the billing_run the bills and exceptions belong to
--   p_period_start/end  the period; P = end - start + 1
--   p_issue_date        issue date; due date = issue date + p_due_days
--   p_due_days          1..90 (checked by the caller)
--   p_actor             recorded on estimated readings and ledger rows
--   p_bills             OUT: bills created
--   p_total             OUT: their totals as issued
-- Result: none (no result set). Errors: whatever a statement raises (the caller rolls back).
-- Notices: one bill_issued (final_bill on the closing day) per new bill, one INSERT ... SELECT
-- (its cost in a run: docs/notices.md, "Cost in a billing run").
--
-- Locks, after _compute_bills': the open bills and credit payments of accounts that have
-- unallocated credit; then, as the last thing, the bill-number counter of the issue year (held
-- to the commit: the numbers are gapless). The billing_run row is not written here: each bill
-- and exception inserted share-locks it (their run_id foreign key), which the chunks of other
-- sessions working the same run hold at the same time, so its progress is the caller's (since
-- migration 0131 the chunk row's: two sessions that each held the share lock and asked for the
-- exclusive one to add their progress deadlocked, and taking it exclusively first made the
-- chunks' stores queue one behind the other).
--
-- The counter is taken last because every chunk of every session needs it and holds it until
-- its commit: sessions working one run (work_billing_run) queue on it, so the shorter it is
-- held, the more of the chunks runs side by side. The bills are inserted with a placeholder
-- number, '~' and the account id (unique: only the session holding the account's lock can
-- insert one, and it replaces it before it commits; no real number starts with '~'); all the
-- rows that refer to the bills (lines, comparison, ledger, notices, allocations) refer to
-- bill_id, never to bill_no. Then, under the counter's lock, one UPDATE gives the chunk's bills
-- their numbers, in account_id order: what is serialized is that UPDATE, the caller's progress
-- and the commit, not the inserts of bills, lines, ledger entries and notices.
CREATE PROCEDURE _store_bills(IN p_run_id INT UNSIGNED, IN p_period_start DATE, IN p_period_end DATE,
                              IN p_issue_date DATE, IN p_due_days INT, IN p_actor VARCHAR(100),
                              OUT p_bills INT UNSIGNED, OUT p_total DECIMAL(14,2))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_P INT DEFAULT DATEDIFF(p_period_end, p_period_start) + 1;
    DECLARE v_year SMALLINT DEFAULT YEAR(p_issue_date);
    DECLARE v_bills INT DEFAULT 0;
    DECLARE v_total DECIMAL(14,2) DEFAULT 0;
    DECLARE v_last INT UNSIGNED;

    SELECT COUNT(*), COALESCE(SUM(total), 0) INTO v_bills, v_total
    FROM bc_acct WHERE exception_code IS NULL;

    IF v_bills > 0 THEN
        INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh, recorded_by)
        SELECT meter_id, be, end_value, 'estimated', 'system', 'accepted', advance * multiplier, p_actor
        FROM bc_acct WHERE exception_code IS NULL AND estimated = 1;

        -- Every join of a real table here goes from the chunk's work table to the chunk's own
        -- rows by a unique key (STRAIGHT_JOIN): an UPDATE locks the rows it reads in the other
        -- table, and a scan of it would wait for the rows other sessions' chunks are writing
        UPDATE bc_acct t
        STRAIGHT_JOIN meter_reading r FORCE INDEX (uk_reading_point)
            ON r.meter_id = t.meter_id AND r.point_on = t.be
        SET t.end_reading_id = r.reading_id
        WHERE t.exception_code IS NULL AND t.estimated = 1;

        -- the consumption report's figures (report_consumption_part, migration 0122): the
        -- change of kWh of the accepted actual readings re-based below, as _report_reading
        -- keys them (month of read_on, the tariff of the meter's installation at the reading)
        INSERT INTO report_consumption_part (month_start, tariff_id, consumption_kwh)
        SELECT x.month_start, x.tariff_id, SUM(x.delta)
        FROM (SELECT r.read_on - INTERVAL (DAYOFMONTH(r.read_on) - 1) DAY AS month_start,
                     (SELECT a.tariff_id FROM meter_installation mi
                        JOIN account a ON a.account_id = mi.account_id
                       WHERE mi.meter_id = r.meter_id AND mi.installed_on <= r.read_on
                       ORDER BY mi.installed_on DESC LIMIT 1) AS tariff_id,
                     t.next_step - r.consumption_kwh AS delta
              FROM bc_acct t
              STRAIGHT_JOIN meter_reading r FORCE INDEX (PRIMARY) ON r.reading_id = t.next_reading_id
              WHERE t.exception_code IS NULL AND t.estimated = 1
                AND r.kind = 'actual' AND r.status = 'accepted') x
        WHERE x.tariff_id IS NOT NULL AND x.delta <> 0
        GROUP BY x.month_start, x.tariff_id;

        UPDATE bc_acct t
        STRAIGHT_JOIN meter_reading r FORCE INDEX (PRIMARY) ON r.reading_id = t.next_reading_id
        SET r.consumption_kwh = t.next_step
        WHERE t.exception_code IS NULL AND t.estimated = 1;

        INSERT INTO bill (bill_no, account_id, run_id, tariff_version_id, period_start, period_end,
                          days_billed, period_days, issue_date, due_date, prev_read_on, prev_read_value,
                          end_reading_id, register_advance, consumption_kwh, estimated,
                          rebate_amount, rebate_date, total_amount, issued_total, amount_paid, replaces_bill_id)
        SELECT CONCAT('~', t.account_id),
               t.account_id, p_run_id, t.version_on_be, t.bs, t.be, t.d_days, v_P,
               p_issue_date, p_issue_date + INTERVAL p_due_days DAY, t.prev_read_on, t.prev_value,
               t.end_reading_id, t.register_advance, t.consumption, t.estimated,
               t.rebate, t.rebate_date, t.total, t.total, 0, t.replaces_bill_id
        FROM bc_acct t
        WHERE t.exception_code IS NULL
        ORDER BY t.account_id;

        UPDATE bc_acct t
        STRAIGHT_JOIN bill b FORCE INDEX (uk_bill_account_period)
            ON b.account_id = t.account_id AND b.period_end = t.be AND b.active_flag = 1
        SET t.bill_id = b.bill_id
        WHERE t.exception_code IS NULL;

        CALL _number_bill_lines();
        INSERT INTO bill_line (bill_id, line_no, kind, description, tariff_version_id, block_no,
                               quantity_kwh, rate, amount)
        SELECT t.bill_id, n.line_no,
               l.kind, l.description, l.tariff_version_id, l.block_no, l.quantity_kwh, l.rate, l.amount
        FROM bc_line_no n
        JOIN bc_line l ON l.price_key = n.price_key AND l.variant = 0 AND l.seq = n.seq
        JOIN bc_acct t ON t.account_id = n.price_key AND t.exception_code IS NULL;

        -- the discounts each bill applied, with their percentage (seq of a discount line:
        -- 1000000 + account_discount_id)
        INSERT INTO bill_discount (bill_id, account_discount_id, pct)
        SELECT t.bill_id, ad.account_discount_id, d.pct
        FROM bc_line l
        JOIN bc_acct t ON t.account_id = l.price_key AND t.exception_code IS NULL
        JOIN account_discount ad ON ad.account_discount_id = l.seq - 1000000
        JOIN discount d ON d.discount_id = ad.discount_id
        WHERE l.variant = 0 AND l.kind = 'discount';

        INSERT INTO bill_comparison (bill_id, prev_bill_id, usage_effect, other_effect, last_year_bill_id)
        SELECT t.bill_id, t.prev_bill_id, t.usage_effect, t.other_effect, t.last_year_bill_id
        FROM bc_acct t
        WHERE t.exception_code IS NULL;

        INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
        SELECT t.account_id, 'bill', t.total, t.bill_id, p_issue_date, p_actor
        FROM bc_acct t
        WHERE t.exception_code IS NULL
        ORDER BY t.account_id;

        -- the revenue report's figures for the chunk's bills (report_revenue_part, migration
        -- 0121): one row per month and tariff version, read from the work tables
        INSERT INTO report_revenue_part (month_start, tariff_version_id, bills, consumption_kwh,
                                          energy_charge, fixed_charge, discount_amount,
                                          tax_amount, total_billed)
        SELECT r.month_start, r.version_on_be, COUNT(*), SUM(r.consumption), SUM(r.energy),
               SUM(r.fixed), SUM(r.discount), SUM(r.tax), SUM(r.total)
        FROM (SELECT t.be - INTERVAL (DAYOFMONTH(t.be) - 1) DAY AS month_start, t.version_on_be,
                     t.consumption, t.total, l.energy, l.fixed, l.discount, l.tax
              FROM bc_acct t
              JOIN (SELECT price_key,
                           SUM(IF(kind = 'energy', amount, 0)) AS energy,
                           SUM(IF(kind = 'fixed', amount, 0)) AS fixed,
                           SUM(IF(kind = 'discount', amount, 0)) AS discount,
                           SUM(IF(kind = 'tax', amount, 0)) AS tax
                    FROM bc_line WHERE variant = 0 GROUP BY price_key) l
                ON l.price_key = t.account_id
              WHERE t.exception_code IS NULL) r
        GROUP BY r.month_start, r.version_on_be;

        -- notices: begin (bench/notices_cost.py times the run without the lines up to "notices: end")
        -- the bills' notices (issue 23), in this transaction: final_bill when the period ends
        -- on the account's closing day (t.final), else bill_issued; skipped with the reason per
        -- customer. The reason is _notice_skip_reason's rule for the bill kinds written inline:
        -- a stored function call per row cost about as much as the row's insert (docs/notices.md,
        -- "Cost in a billing run"); tests/db/test_notices.py checks both agree on every case.
        INSERT INTO notice (kind, customer_id, account_id, bill_id, status, skip_reason)
        SELECT s.kind, s.customer_id, s.account_id, s.bill_id,
               IF(s.reason IS NULL, 'pending', 'skipped'), s.reason
        FROM (SELECT IF(t.final = 1, 'final_bill', 'bill_issued') AS kind, a.customer_id,
                     t.account_id, t.bill_id,
                     CASE WHEN c.email IS NULL OR TRIM(c.email) = '' THEN 'no e-mail address'
                          WHEN cp.email_bills = 0 THEN 'opted out of e-mailed bills'
                     END AS reason
              -- from the chunk by primary keys only: INSERT ... SELECT share-locks what it reads,
              -- so it must read no account but the chunk's own (locked already)
              FROM bc_acct t
              STRAIGHT_JOIN account a FORCE INDEX (PRIMARY) ON a.account_id = t.account_id
              STRAIGHT_JOIN customer c FORCE INDEX (PRIMARY) ON c.customer_id = a.customer_id
              LEFT JOIN contact_preference cp FORCE INDEX (PRIMARY) ON cp.customer_id = c.customer_id
              WHERE t.exception_code IS NULL) s
        -- bill_id order (the bills' own, account_id order): notice_id and uk_notice_bill_kind
        -- both grow at their right edge
        ORDER BY s.bill_id;
        -- notices: end
    END IF;

    INSERT INTO billing_exception (run_id, account_id, code, detail)
    SELECT p_run_id, account_id, exception_code, exception_detail
    FROM bc_acct WHERE exception_code IS NOT NULL;

    -- Credit already on the account goes to its open bills at once (issue date as the
    -- payment date), as payment by payment in payment id order would place it (_apply_credits)
    IF v_bills > 0 THEN
        CALL _apply_credits(p_issue_date, p_actor);
    END IF;

    IF v_bills > 0 THEN
        -- the bills' numbers, last (see the header): the position of each bill in account_id
        -- order first, then the counter, then one UPDATE
        DROP TEMPORARY TABLE IF EXISTS bc_num;
        CREATE TEMPORARY TABLE bc_num (
            bill_id INT UNSIGNED NOT NULL PRIMARY KEY,
            seq     INT UNSIGNED NOT NULL
        ) ENGINE=MEMORY;
        INSERT INTO bc_num
        SELECT bill_id, ROW_NUMBER() OVER (ORDER BY account_id)
        FROM bc_acct WHERE exception_code IS NULL;

        INSERT INTO number_counter (counter_name, counter_year, last_number)
        VALUES ('bill', v_year, 0)
        ON DUPLICATE KEY UPDATE last_number = last_number;
        SELECT last_number INTO v_last FROM number_counter
        WHERE counter_name = 'bill' AND counter_year = v_year FOR UPDATE;
        UPDATE number_counter SET last_number = last_number + v_bills
        WHERE counter_name = 'bill' AND counter_year = v_year;
        -- from the chunk's own bills by primary key (STRAIGHT_JOIN): a scan of bill would lock
        -- other sessions' bills, and wait for the uncommitted ones
        UPDATE bc_num n
        STRAIGHT_JOIN bill b ON b.bill_id = n.bill_id
        SET b.bill_no = CONCAT(v_year, '-', LPAD(v_last + n.seq, GREATEST(6, LENGTH(v_last + n.seq)), '0'));
    END IF;

    SET p_bills = v_bills, p_total = v_total;
END
