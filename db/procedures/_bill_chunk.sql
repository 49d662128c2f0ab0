-- _bill_chunk: bills the accounts listed in the temporary table billing_chunk (the engine
-- shared by run_billing and bill_account), set-based, inside the caller's transaction.
--
-- Implements "The billing period of one account", "Tariffs" and "Bill totals" of
-- billing-rules.md for every account of the chunk at once (be = min(period_end, closed_on);
-- the final bill of a closed account ends on closed_on, estimated from the window's latest
-- point when there is no point that day; C spans a meter exchange, each step on its own
-- meter; READ_NEEDS_REVIEW also when a final bill's latest point m is in review): each step is one statement over
-- the whole chunk, on temporary work tables (bc_*). The caller has created billing_chunk
-- (account_id PRIMARY KEY), started a transaction and commits or rolls back afterwards.
--
-- Parameters
--   p_run_id            the billing_run the bills and exceptions belong to
--   p_period_start/end  the period; P = end - start + 1
--   p_issue_date        issue date; due date = issue date + p_due_days
--   p_due_days          1..90 (checked by the caller)
--   p_actor             recorded on estimated readings and ledger rows
--   p_explain_ineligible 1: accounts of the chunk that are not billable at all (no service in
--                       the period, no meter on be, already billed for an overlapping period) get an
--                       exception row too (bill_account); 0: they are left out silently
--                       (run_billing, whose candidates were chosen just before, so these are
--                       accounts another run billed in the meantime)
-- Result: none (no result set). Progress and totals are added to the billing_run row.
-- Errors: whatever a statement raises (the caller rolls back).
-- Notices: one bill_issued (final_bill on the closing day) per new bill, one INSERT ... SELECT.
--
-- Locks, in the project's order: the chunk's accounts (by account_id), their meters, their
-- tariffs (shared), the bill-number counter of the issue year, then the open bills and credit payments of accounts
-- that have unallocated credit.
--
-- Work tables: ENGINE=MEMORY (no undo or redo for rows thrown away after the chunk; an UPDATE
-- of 10,000 work rows costs a tenth of the same on an InnoDB temporary table). A MEMORY table's
-- size limit is max_heap_table_size when it is created, so the session's value is raised to
-- 4 GiB while this procedure runs, and tmp_table_size to 1 GiB (the server's own temporary
-- table for the window over the chunk's lines stays in memory); both are put back at the end,
-- also when it fails (memory is taken as rows arrive: about 50 MB for a chunk of 10,000 accounts). MEMORY rows have a fixed
-- width (a VARCHAR takes its full length), so the work columns of our own words are ascii.
--
-- Exact arithmetic: the rules' divisions (C * d_i / D, up_to * d_i / P, fixed * d_i / P and the
-- estimate's advance * D / days) are ROUNDed right away. MySQL/MariaDB divide DECIMALs to
-- 4 more decimals than the dividend (div_precision_increment = 4), so the quotient is off by at
-- most 5e-9 (5e-7 for money), while with denominators of at most 62 days (186 for the estimate)
-- an exact quotient is either on a rounding boundary (then the decimal quotient is exact) or at
-- least 0.5e-4/62 = 8e-7 (0.5e-2/186 = 2.7e-5 for money) away from one: ROUND gives the exact
-- result. Do not lower div_precision_increment on a billing server.
CREATE PROCEDURE _bill_chunk(IN p_run_id INT UNSIGNED, IN p_period_start DATE, IN p_period_end DATE,
                             IN p_issue_date DATE, IN p_due_days INT, IN p_actor VARCHAR(100),
                             IN p_explain_ineligible TINYINT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_P INT DEFAULT DATEDIFF(p_period_end, p_period_start) + 1;
    DECLARE v_year SMALLINT DEFAULT YEAR(p_issue_date);
    DECLARE v_chunk INT DEFAULT 0;
    DECLARE v_bills INT DEFAULT 0;
    DECLARE v_total DECIMAL(14,2) DEFAULT 0;
    DECLARE v_last INT UNSIGNED;
    DECLARE v_locked INT;
    DECLARE v_payment INT UNSIGNED;
    DECLARE v_done TINYINT DEFAULT 0;
    DECLARE v_heap BIGINT UNSIGNED DEFAULT @@SESSION.max_heap_table_size;
    DECLARE v_tmp BIGINT UNSIGNED DEFAULT @@SESSION.tmp_table_size;
    -- Credit is allocated payment by payment: each payment's allocation depends on what the
    -- previous one left open, so this is a loop (over the few payments that carry credit).
    DECLARE c_credit CURSOR FOR
        SELECT p.payment_id
        FROM bc_acct t
        JOIN payment p ON p.credit_account_id = t.account_id
        WHERE t.exception_code IS NULL
        ORDER BY p.account_id, p.payment_id;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
        RESIGNAL;
    END;

    SET SESSION max_heap_table_size = GREATEST(v_heap, 4294967296),
        SESSION tmp_table_size = GREATEST(v_tmp, 1073741824);
    SELECT COUNT(*) INTO v_chunk FROM billing_chunk;

    -- 1. Lock the accounts in account_id order, then take the billable ones with their meter.
    SELECT COUNT(*) INTO v_locked
    FROM billing_chunk c JOIN account a ON a.account_id = c.account_id
    FOR UPDATE;

    DROP TEMPORARY TABLE IF EXISTS bc_acct;
    CREATE TEMPORARY TABLE bc_acct (
        account_id       INT UNSIGNED     NOT NULL PRIMARY KEY,
        tariff_id        INT UNSIGNED     NOT NULL,
        bs               DATE             NOT NULL,
        be               DATE             NOT NULL,
        d_days           SMALLINT         NOT NULL,
        meter_id         INT UNSIGNED     NOT NULL,
        dial_digits      TINYINT UNSIGNED NOT NULL,
        capacity         DECIMAL(11,0)    NOT NULL,
        multiplier       DECIMAL(8,2)     NOT NULL,
        prev_reading_id  INT UNSIGNED     NULL,
        prev_read_on     DATE             NULL,
        prev_value       DECIMAL(12,2)    NULL,
        later_bill_no    VARCHAR(16)      CHARACTER SET ascii NULL,
        end_reading_id   INT UNSIGNED     NULL,
        end_read_on      DATE             NULL,
        end_value        DECIMAL(12,2)    NULL,
        end_status       VARCHAR(10)      CHARACTER SET ascii NULL,
        estimated        TINYINT          NOT NULL DEFAULT 0,
        advance          DECIMAL(12,2)    NULL,
        next_reading_id  INT UNSIGNED     NULL,
        next_step        DECIMAL(14,4)    NULL,
        consumption      DECIMAL(14,4)    NULL,
        register_advance DECIMAL(12,2)    NULL,
        version_on_be    INT UNSIGNED     NULL,
        energy           DECIMAL(12,2)    NOT NULL DEFAULT 0,
        fixed            DECIMAL(12,2)    NOT NULL DEFAULT 0,
        discounts        DECIMAL(12,2)    NOT NULL DEFAULT 0,
        tax              DECIMAL(12,2)    NOT NULL DEFAULT 0,
        total            DECIMAL(12,2)    NULL,
        rebate           DECIMAL(12,2)    NOT NULL DEFAULT 0,
        rebate_date      DATE             NULL,
        exception_code   VARCHAR(30)      CHARACTER SET ascii NULL,
        exception_detail VARCHAR(200)     CHARACTER SET ascii NULL,   -- numbers, dates and words of ours
        bill_id          INT UNSIGNED     NULL,
        opened_on        DATE             NOT NULL,
        replaces_bill_id INT UNSIGNED     NULL,
        interp_on        DATE             NULL,
        interp_step      DECIMAL(12,2)    NULL,
        final            TINYINT          NOT NULL DEFAULT 0,
        cur_installed_on DATE             NOT NULL
    ) ENGINE=MEMORY;

    -- bs = max(period_start, opened_on), be = min(period_end, closed_on); considered when
    -- bs <= be and a meter is installed on be (a meter removed on be counts as installed on be;
    -- on an exchange day the new meter, the one installed latest, is the current meter).
    INSERT INTO bc_acct (account_id, tariff_id, bs, be, d_days, meter_id, dial_digits, capacity, multiplier,
                         opened_on, final, cur_installed_on)
    SELECT x.account_id, x.tariff_id, x.bs, x.be, DATEDIFF(x.be, x.bs) + 1,
           m.meter_id, m.dial_digits, CAST(POW(10, m.dial_digits) AS DECIMAL(11,0)), m.multiplier,
           x.opened_on, x.be <=> x.closed_on, mi.installed_on
    FROM (SELECT a.account_id, a.tariff_id, a.opened_on, a.closed_on,
                 GREATEST(p_period_start, a.opened_on) AS bs,
                 LEAST(p_period_end, COALESCE(a.closed_on, p_period_end)) AS be
          FROM billing_chunk c
          JOIN account a ON a.account_id = c.account_id) x
    JOIN meter_installation mi ON mi.account_id = x.account_id
         AND mi.installed_on <= x.be
         AND (mi.removed_on IS NULL OR mi.removed_on >= x.be)
    JOIN meter m ON m.meter_id = mi.meter_id
    WHERE x.bs <= x.be
      AND NOT EXISTS (SELECT 1 FROM meter_installation m2
                      WHERE m2.account_id = x.account_id AND m2.installed_on > mi.installed_on
                        AND m2.installed_on <= x.be);

    -- The period_end of each account's latest bill that is not cancelled (cancelled bills count
    -- nowhere): a backward read of uk_bill_account_period (account_id, period_end, active_flag),
    -- index only; active_flag is NULL for a cancelled bill.
    DROP TEMPORARY TABLE IF EXISTS bc_prev;
    CREATE TEMPORARY TABLE bc_prev (
        account_id INT UNSIGNED NOT NULL PRIMARY KEY,
        period_end DATE         NOT NULL
    ) ENGINE=MEMORY;
    INSERT INTO bc_prev
    SELECT x.account_id, x.period_end
    FROM (SELECT t.account_id,
                 (SELECT b.period_end FROM bill b
                  WHERE b.account_id = t.account_id AND b.active_flag = 1
                  ORDER BY b.period_end DESC LIMIT 1) AS period_end
          FROM bc_acct t) x
    WHERE x.period_end IS NOT NULL;

    -- An account with a bill for an overlapping period is not billed again (idempotent runs).
    -- Only an account whose latest bill ends on or after bs can have one.
    DELETE t FROM bc_acct t
    JOIN bc_prev p ON p.account_id = t.account_id AND p.period_end >= t.bs
    WHERE EXISTS (SELECT 1 FROM bill b
                  WHERE b.account_id = t.account_id AND b.cancelled_at IS NULL
                    AND b.period_start <= t.be AND b.period_end >= t.bs);

    IF p_explain_ineligible THEN
        -- the reason is found once (x.code), its text follows from it
        INSERT INTO billing_exception (run_id, account_id, code, detail)
        SELECT p_run_id, x.account_id, x.code,
               CASE x.code
                    WHEN 'ACCOUNT_NOT_OPEN' THEN CONCAT('the account is not open on ', p_period_end)
                    WHEN 'NO_METER' THEN CONCAT('no meter is installed on ', x.be)
                    ELSE CONCAT('already billed for a period overlapping ', p_period_start, '..', p_period_end) END
        FROM (SELECT a.account_id, LEAST(p_period_end, COALESCE(a.closed_on, p_period_end)) AS be,
                     CASE WHEN a.opened_on > p_period_end OR a.closed_on < p_period_start
                               OR a.closed_on < a.opened_on THEN 'ACCOUNT_NOT_OPEN'
                          WHEN NOT EXISTS (SELECT 1 FROM meter_installation mi
                                           WHERE mi.account_id = a.account_id
                                             AND mi.installed_on <= LEAST(p_period_end, COALESCE(a.closed_on, p_period_end))
                                             AND (mi.removed_on IS NULL
                                                  OR mi.removed_on >= LEAST(p_period_end, COALESCE(a.closed_on, p_period_end))))
                               THEN 'NO_METER'
                          ELSE 'ALREADY_BILLED' END AS code
              FROM billing_chunk c
              JOIN account a ON a.account_id = c.account_id
              WHERE NOT EXISTS (SELECT 1 FROM bc_acct t WHERE t.account_id = c.account_id)) x;
    END IF;

    -- Lock the meters (record_reading takes the meter lock too).
    SELECT COUNT(*) INTO v_locked
    FROM bc_acct t JOIN meter m ON m.meter_id = t.meter_id
    FOR UPDATE;

    -- Share-lock the tariffs priced here: add_tariff_version locks its tariff row before it
    -- checks TARIFF_RETROACTIVE, so it sees these bills once they are committed.
    SELECT COUNT(*) INTO v_locked
    FROM tariff
    WHERE tariff_id IN (SELECT tariff_id FROM bc_acct)
    LOCK IN SHARE MODE;

    -- 2. The previous register value: the end reading of the latest bill, else the initial read.
    UPDATE bc_acct t
    JOIN bc_prev p ON p.account_id = t.account_id
    JOIN bill b ON b.account_id = t.account_id AND b.period_end = p.period_end
    JOIN meter_reading r ON r.reading_id = b.end_reading_id
    SET t.prev_reading_id = r.reading_id, t.prev_read_on = r.read_on, t.prev_value = r.value,
        t.later_bill_no = IF(b.period_start > t.be, b.bill_no, NULL)
    WHERE b.cancelled_at IS NULL;

    -- no previous bill: the initial read of the account's first meter
    UPDATE bc_acct t
    JOIN meter_installation mi ON mi.account_id = t.account_id
         AND mi.installed_on = (SELECT MIN(m2.installed_on) FROM meter_installation m2
                                WHERE m2.account_id = t.account_id)
    JOIN meter_reading r ON r.meter_id = mi.meter_id AND r.kind = 'initial'
    SET t.prev_reading_id = r.reading_id, t.prev_read_on = r.read_on, t.prev_value = r.value
    WHERE t.prev_reading_id IS NULL;

    -- 3. The window's points (after the previous reading, up to be), of every meter while it
    --    was installed on the account (across a meter exchange: the old meter's up to its
    --    final read, the new meter's from its initial read): the current meter's latest one is
    --    the end reading, and C is the sum of their steps (each stored as the step from its
    --    predecessor on the same meter, by that meter's capacity and multiplier; a new meter's
    --    initial read stores 0, so there is no step between the old meter's final read and
    --    it). reg is the register advance, each step divided by its own meter's multiplier
    --    (exact: a step is register advance x multiplier). One index-only range scan of
    --    ix_reading_point_kwh per installation.
    DROP TEMPORARY TABLE IF EXISTS bc_window;
    CREATE TEMPORARY TABLE bc_window (
        account_id INT UNSIGNED  NOT NULL PRIMARY KEY,
        last_point DATE          NULL,
        kwh        DECIMAL(14,4) NOT NULL,
        reg        DECIMAL(14,2) NOT NULL
    ) ENGINE=MEMORY;
    INSERT INTO bc_window
    SELECT t.account_id, MAX(IF(r.meter_id = t.meter_id, r.point_on, NULL)), SUM(r.consumption_kwh),
           ROUND(SUM(r.consumption_kwh / m.multiplier), 2)
    FROM bc_acct t
    JOIN meter_installation mi ON mi.account_id = t.account_id
         AND mi.installed_on <= t.be AND (mi.removed_on IS NULL OR mi.removed_on > t.prev_read_on)
    JOIN meter m ON m.meter_id = mi.meter_id
    JOIN meter_reading r FORCE INDEX (ix_reading_point_kwh)
         ON r.meter_id = mi.meter_id AND r.point_on > t.prev_read_on AND r.point_on <= t.be
        AND r.point_on >= mi.installed_on AND (mi.removed_on IS NULL OR r.point_on <= mi.removed_on)
    GROUP BY t.account_id;

    UPDATE bc_acct t
    JOIN bc_window w ON w.account_id = t.account_id
    JOIN meter_reading r ON r.meter_id = t.meter_id AND r.point_on = w.last_point
    SET t.end_reading_id = r.reading_id, t.end_read_on = r.read_on, t.end_value = r.value,
        t.end_status = r.status, t.consumption = w.kwh, t.register_advance = w.reg;

    -- 4. Exceptions, in the order of the rules: UNBILLED_GAP, READ_NEEDS_REVIEW, NO_TARIFF; then
    --    ours. UNBILLED_GAP: days before bs not billed (the latest bill that is not cancelled
    --    ends before bs - 1, or after be: a later period is billed; or there is no bill and the
    --    account opened before bs). They are billed first (bill_account for their period), never
    --    folded into this bill.
    UPDATE bc_acct t
    LEFT JOIN bc_prev p ON p.account_id = t.account_id
    SET t.exception_code = 'UNBILLED_GAP',
        t.exception_detail = IF(p.period_end IS NULL,
                                CONCAT('the days from ', t.opened_on, ' to ', t.bs - INTERVAL 1 DAY, ' are not billed'),
                                IF(p.period_end > t.be,
                                   CONCAT('bill ', t.later_bill_no, ' covers a later period'),
                                   CONCAT('the days from ', p.period_end + INTERVAL 1 DAY, ' to ',
                                          t.bs - INTERVAL 1 DAY, ' are not billed')))
    WHERE (p.period_end IS NULL AND t.opened_on < t.bs)
       OR p.period_end <> t.bs - INTERVAL 1 DAY;

    UPDATE bc_acct
    SET exception_code = 'READ_NEEDS_REVIEW',
        exception_detail = CONCAT('reading ', end_reading_id, ' of ', end_read_on, ' awaits review')
    WHERE exception_code IS NULL AND end_status = 'review';

    DROP TEMPORARY TABLE IF EXISTS bc_version;
    CREATE TEMPORARY TABLE bc_version (
        tariff_version_id INT UNSIGNED  NOT NULL PRIMARY KEY,
        tariff_id         INT UNSIGNED  NOT NULL,
        effective_from    DATE          NOT NULL,
        effective_to      DATE          NOT NULL,
        fixed_charge      DECIMAL(12,2) NOT NULL,
        tax_rate_pct      DECIMAL(5,2)  NOT NULL,
        early_pay_pct     DECIMAL(5,2)  NOT NULL,
        early_pay_days    SMALLINT      NOT NULL,
        KEY ix_tariff_from (tariff_id, effective_from) USING BTREE
    ) ENGINE=MEMORY;
    INSERT INTO bc_version
    SELECT v.tariff_version_id, v.tariff_id, v.effective_from,
           COALESCE(LEAD(v.effective_from) OVER (PARTITION BY v.tariff_id ORDER BY v.effective_from)
                    - INTERVAL 1 DAY, DATE '9999-12-31'),
           v.fixed_charge, v.tax_rate_pct, v.early_pay_pct, v.early_pay_days
    FROM tariff_version v;

    UPDATE bc_acct t
    SET t.exception_code = 'NO_TARIFF',
        t.exception_detail = CONCAT('no tariff version is in force on ', t.bs)
    WHERE t.exception_code IS NULL
      AND NOT EXISTS (SELECT 1 FROM bc_version v WHERE v.tariff_id = t.tariff_id AND v.effective_from <= t.bs);

    -- 5. No point in the window: when the previous reading is dated be, nothing was used;
    --    otherwise estimate: interpolated towards the first accepted point after be when there
    --    is one, else extrapolated from the register advance of the last (up to) 3 bills.
    UPDATE bc_acct
    SET end_reading_id = prev_reading_id, end_read_on = prev_read_on, end_value = prev_value,
        end_status = 'accepted'
    WHERE exception_code IS NULL AND end_reading_id IS NULL AND prev_read_on >= be;

    -- Estimated: no point in the window; or a final bill (be = closed_on) whose current meter
    -- has no point dated closed_on: it is extrapolated from the window's latest point m (the
    -- end reading found above, else the previous value) to closed_on.
    UPDATE bc_acct
    SET estimated = 1
    WHERE exception_code IS NULL
      AND (end_reading_id IS NULL OR (final = 1 AND end_read_on < be));

    DROP TEMPORARY TABLE IF EXISTS bc_hist;
    CREATE TEMPORARY TABLE bc_hist (
        account_id INT UNSIGNED  NOT NULL PRIMARY KEY,
        advance    DECIMAL(14,2) NOT NULL,
        days       INT           NOT NULL
    ) ENGINE=MEMORY;
    INSERT INTO bc_hist
    SELECT h.account_id, SUM(h.register_advance), SUM(h.days_billed)
    FROM (SELECT b.account_id, b.register_advance, b.days_billed,
                 ROW_NUMBER() OVER (PARTITION BY b.account_id ORDER BY b.period_end DESC) AS rn
          FROM bc_acct t
          JOIN bill b ON b.account_id = t.account_id AND b.cancelled_at IS NULL
          -- only bills wholly on the current meter: end reading on it, previous value read
          -- on or after its installation (a bill ending on an exchange day ends on the new
          -- meter's initial read, so the next one starts on the current meter)
          JOIN meter_reading er ON er.reading_id = b.end_reading_id AND er.meter_id = t.meter_id
          WHERE t.exception_code IS NULL AND t.estimated = 1
            AND b.prev_read_on >= t.cur_installed_on) h
    WHERE h.rn <= 3
    GROUP BY h.account_id;

    -- Interpolation: step = the register advance from the previous value to the first accepted
    -- point n after be (rollover applied: meter_step_kwh with multiplier 1);
    -- advance = ROUND(step * (be - prev_date) / (n_date - prev_date), 2), in integer cents with
    -- DIV (half away from zero for a non-negative quotient: (2a + d) DIV 2d), exact whatever
    -- the number of days.
    UPDATE bc_acct t
    JOIN meter_reading r ON r.meter_id = t.meter_id
         AND r.point_on = (SELECT MIN(r2.point_on) FROM meter_reading r2
                           WHERE r2.meter_id = t.meter_id AND r2.point_on > t.be AND r2.status = 'accepted')
    SET t.interp_on = r.read_on,
        t.interp_step = meter_step_kwh(t.prev_value, r.value, t.dial_digits, 1)
    WHERE t.exception_code IS NULL AND t.end_reading_id IS NULL AND t.final = 0;

    UPDATE bc_acct t
    LEFT JOIN bc_hist h ON h.account_id = t.account_id
    SET t.advance = CASE
            WHEN t.final = 1 THEN
                IF(h.days > 0,
                   ROUND(h.advance * DATEDIFF(t.be, COALESCE(t.end_read_on, t.prev_read_on)) / h.days, 2), 0)
            WHEN t.interp_step IS NOT NULL THEN
                ((2 * CAST(t.interp_step * 100 AS SIGNED) * DATEDIFF(t.be, t.prev_read_on)
                  + DATEDIFF(t.interp_on, t.prev_read_on))
                 DIV (2 * DATEDIFF(t.interp_on, t.prev_read_on))) / 100
            WHEN h.days > 0 THEN ROUND(h.advance * t.d_days / h.days, 2)
            ELSE 0 END
    WHERE t.exception_code IS NULL AND t.estimated = 1;

    -- the estimate on top of m (the previous value, or a final bill's latest point m); C and
    -- the register advance run through the window's points to it
    UPDATE bc_acct
    SET end_value = MOD(COALESCE(end_value, prev_value) + advance, capacity),
        end_read_on = be,
        end_status = 'accepted',
        consumption = COALESCE(consumption, 0) + advance * multiplier,
        register_advance = COALESCE(register_advance, 0) + advance
    WHERE exception_code IS NULL AND estimated = 1;

    -- A point after be (read before this run) follows the estimate: its step is re-based on it.
    UPDATE bc_acct t
    JOIN meter_reading r ON r.meter_id = t.meter_id
         AND r.point_on = (SELECT MIN(r2.point_on) FROM meter_reading r2
                           WHERE r2.meter_id = t.meter_id AND r2.point_on > t.be)
    SET t.next_reading_id = r.reading_id,
        t.next_step = meter_step_kwh(t.end_value, r.value, t.dial_digits, t.multiplier)
    WHERE t.estimated = 1;

    -- An interpolated estimate never lies above the point it aims at; a later point in review
    -- before that point, or a step that runs backwards, still stops the bill here.
    UPDATE bc_acct
    SET exception_code = 'ESTIMATE_CONFLICT',
        exception_detail = CONCAT('the estimate ', end_value, ' for ', be,
                                  ' would be above the later reading ', next_reading_id)
    WHERE exception_code IS NULL AND estimated = 1 AND next_reading_id IS NOT NULL AND next_step IS NULL;

    -- 6. C was summed with the end reading (step 3); an estimate's is its advance (step 5);
    --    when the previous reading is dated be, nothing was used.
    UPDATE bc_acct
    SET consumption = 0, register_advance = 0
    WHERE exception_code IS NULL AND estimated = 0 AND consumption IS NULL;

    -- 7. Segments at version changes; the last segment takes C minus the others.
    DROP TEMPORARY TABLE IF EXISTS bc_seg;
    CREATE TEMPORARY TABLE bc_seg (
        account_id        INT UNSIGNED  NOT NULL,
        seg_no            SMALLINT      NOT NULL,
        tariff_version_id INT UNSIGNED  NOT NULL,
        seg_start         DATE          NOT NULL,
        seg_count         SMALLINT      NOT NULL,
        d_i               SMALLINT      NOT NULL,
        c_i               DECIMAL(14,4) NOT NULL,
        PRIMARY KEY (account_id, seg_no) USING BTREE
    ) ENGINE=MEMORY;
    INSERT INTO bc_seg
    SELECT s.account_id, s.seg_no, s.tariff_version_id, s.seg_start, s.seg_count, s.d_i,
           IF(s.seg_no = s.seg_count, s.consumption - COALESCE(s.prior, 0), s.c_round)
    FROM (SELECT x.*,
                 ROW_NUMBER() OVER (PARTITION BY x.account_id ORDER BY x.seg_start) AS seg_no,
                 COUNT(*) OVER (PARTITION BY x.account_id) AS seg_count,
                 SUM(x.c_round) OVER (PARTITION BY x.account_id ORDER BY x.seg_start
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior
          FROM (SELECT t.account_id, t.consumption, v.tariff_version_id,
                       GREATEST(t.bs, v.effective_from) AS seg_start,
                       DATEDIFF(LEAST(t.be, v.effective_to), GREATEST(t.bs, v.effective_from)) + 1 AS d_i,
                       ROUND(t.consumption
                             * (DATEDIFF(LEAST(t.be, v.effective_to), GREATEST(t.bs, v.effective_from)) + 1)
                             / t.d_days, 4) AS c_round
                FROM bc_acct t
                JOIN bc_version v ON v.tariff_id = t.tariff_id
                     AND v.effective_from <= t.be AND v.effective_to >= t.bs
                WHERE t.exception_code IS NULL) x) s;

    UPDATE bc_acct t
    JOIN bc_version v ON v.tariff_id = t.tariff_id AND v.effective_from <= t.be AND v.effective_to >= t.be
    SET t.version_on_be = v.tariff_version_id
    WHERE t.exception_code IS NULL;

    -- 8. Lines: energy per segment and block (bounds scaled by d_i / P), fixed per segment.
    DROP TEMPORARY TABLE IF EXISTS bc_block;
    CREATE TEMPORARY TABLE bc_block (
        tariff_version_id INT UNSIGNED     NOT NULL,
        block_no          TINYINT UNSIGNED NOT NULL,
        lower_kwh         DECIMAL(14,4)    NOT NULL,
        upper_kwh         DECIMAL(14,4)    NULL,
        rate              DECIMAL(12,6)    NOT NULL,
        description       VARCHAR(200)     NOT NULL,
        PRIMARY KEY (tariff_version_id, block_no) USING BTREE
    ) ENGINE=MEMORY;
    INSERT INTO bc_block
    SELECT b.tariff_version_id, b.block_no, b.lower_kwh, b.upper_kwh, b.rate,
           CONCAT('Energy, block ', b.block_no, ' (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM b.lower_kwh)),
                  IF(b.upper_kwh IS NULL, ' kWh and above',
                     CONCAT('-', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM b.upper_kwh)), ' kWh')), ')')
    FROM (SELECT k.tariff_version_id, k.block_no,
                 CAST(COALESCE(LAG(k.up_to_kwh) OVER (PARTITION BY k.tariff_version_id ORDER BY k.block_no), 0)
                      AS DECIMAL(14,4)) AS lower_kwh,
                 CAST(k.up_to_kwh AS DECIMAL(14,4)) AS upper_kwh, k.rate
          FROM tariff_block k
          JOIN bc_version v ON v.tariff_version_id = k.tariff_version_id
          WHERE v.effective_from <= p_period_end AND v.effective_to >= p_period_start) b;

    DROP TEMPORARY TABLE IF EXISTS bc_line;
    CREATE TEMPORARY TABLE bc_line (
        account_id        INT UNSIGNED     NOT NULL,
        seq               INT UNSIGNED     NOT NULL,
        kind              VARCHAR(16)      CHARACTER SET ascii NOT NULL,
        description       VARCHAR(200)     NOT NULL,
        tariff_version_id INT UNSIGNED     NULL,
        block_no          TINYINT UNSIGNED NULL,
        quantity_kwh      DECIMAL(14,4)    NULL,
        rate              DECIMAL(12,6)    NULL,
        amount            DECIMAL(12,2)    NOT NULL,
        PRIMARY KEY (account_id, seq) USING BTREE
    ) ENGINE=MEMORY;
    -- (a segment of the whole period has the block's own bounds and description)
    INSERT INTO bc_line
    SELECT e.account_id, e.seg_no * 1000 + e.block_no, 'energy',
           IF(e.d_i = v_P, e.description,
              CONCAT('Energy, block ', e.block_no, ' (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM e.lo)),
                     IF(e.hi IS NULL, ' kWh and above',
                        CONCAT('-', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM e.hi)), ' kWh')),
                     IF(e.seg_count > 1, CONCAT(', ', e.d_i, ' days from ', e.seg_start), ''), ')')),
           e.tariff_version_id, e.block_no, e.q, e.rate, ROUND(e.q * e.rate, 2)
    FROM (SELECT s.account_id, s.seg_no, s.seg_start, s.seg_count, s.d_i, s.tariff_version_id,
                 k.block_no, k.rate, k.description,
                 ROUND(k.lower_kwh * s.d_i / v_P, 4) AS lo,
                 ROUND(k.upper_kwh * s.d_i / v_P, 4) AS hi,
                 GREATEST(0, LEAST(s.c_i, COALESCE(ROUND(k.upper_kwh * s.d_i / v_P, 4), s.c_i))
                             - ROUND(k.lower_kwh * s.d_i / v_P, 4)) AS q
          FROM bc_seg s
          JOIN bc_block k ON k.tariff_version_id = s.tariff_version_id) e
    WHERE e.q > 0;

    INSERT INTO bc_line
    SELECT s.account_id, s.seg_no * 1000 + 999, 'fixed',
           IF(s.d_i = v_P, 'Fixed charge', CONCAT('Fixed charge, ', s.d_i, ' of ', v_P, ' days from ', s.seg_start)),
           s.tariff_version_id, NULL, NULL, NULL, ROUND(v.fixed_charge * s.d_i / v_P, 2)
    FROM bc_seg s
    JOIN bc_version v ON v.tariff_version_id = s.tariff_version_id;

    UPDATE bc_acct t
    JOIN (SELECT l.account_id,
                 SUM(IF(l.kind = 'energy', l.amount, 0)) AS e,
                 SUM(IF(l.kind = 'fixed', l.amount, 0)) AS f
          FROM bc_line l GROUP BY l.account_id) x ON x.account_id = t.account_id
    SET t.energy = x.e, t.fixed = x.f;

    -- 9. Discounts valid on be, tax and the early-payment rebate with the version on be.
    INSERT INTO bc_line
    SELECT t.account_id, 1000000 + ad.account_discount_id, 'discount',
           CONCAT('Discount: ', d.name, ' (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM d.pct)), '% of energy)'),
           NULL, NULL, NULL, NULL, -ROUND(t.energy * d.pct / 100, 2)
    FROM bc_acct t
    JOIN account_discount ad ON ad.account_id = t.account_id
         AND ad.valid_from <= t.be AND (ad.valid_to IS NULL OR ad.valid_to >= t.be)
    JOIN discount d ON d.discount_id = ad.discount_id
    WHERE t.exception_code IS NULL;

    UPDATE bc_acct t
    JOIN (SELECT l.account_id, SUM(l.amount) AS amt FROM bc_line l
          WHERE l.kind = 'discount' GROUP BY l.account_id) x ON x.account_id = t.account_id
    SET t.discounts = x.amt;

    UPDATE bc_acct t
    JOIN bc_version v ON v.tariff_version_id = t.version_on_be
    SET t.tax = ROUND((t.energy + t.fixed + t.discounts) * v.tax_rate_pct / 100, 2),
        t.rebate = IF(v.early_pay_pct > 0, ROUND(t.energy * v.early_pay_pct / 100, 2), 0),
        t.rebate_date = IF(v.early_pay_pct > 0, p_issue_date + INTERVAL v.early_pay_days DAY, NULL)
    WHERE t.exception_code IS NULL;

    UPDATE bc_acct SET total = energy + fixed + discounts + tax WHERE exception_code IS NULL;

    -- Discounts of more than 100% of energy in all would make a negative bill: not billed.
    UPDATE bc_acct
    SET exception_code = 'NEGATIVE_TOTAL',
        exception_detail = CONCAT('the discounts (', discounts, ') exceed the charges: total ', total)
    WHERE exception_code IS NULL AND total < 0;

    INSERT INTO bc_line
    SELECT t.account_id, 4000000000, 'tax', CONCAT('Tax (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM v.tax_rate_pct)), '%)'),
           t.version_on_be, NULL, NULL, NULL, t.tax
    FROM bc_acct t
    JOIN bc_version v ON v.tariff_version_id = t.version_on_be
    WHERE t.exception_code IS NULL;

    -- The bill a rebill replaces: the account's latest cancelled bill overlapping [bs, be] that
    -- no bill replaces yet (billing-rules.md, "Corrections").
    UPDATE bc_acct t
    SET t.replaces_bill_id = (SELECT c.bill_id FROM bill c
                              WHERE c.account_id = t.account_id AND c.cancelled_at IS NOT NULL
                                AND c.period_start <= t.be AND c.period_end >= t.bs
                                AND NOT EXISTS (SELECT 1 FROM bill r WHERE r.replaces_bill_id = c.bill_id)
                              ORDER BY c.bill_id DESC LIMIT 1)
    WHERE t.exception_code IS NULL;

    -- 10. Store: estimated readings, bills with gapless numbers, lines, ledger debits, exceptions.
    SELECT COUNT(*), COALESCE(SUM(total), 0) INTO v_bills, v_total
    FROM bc_acct WHERE exception_code IS NULL;

    IF v_bills > 0 THEN
        INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh, recorded_by)
        SELECT meter_id, be, end_value, 'estimated', 'system', 'accepted', advance * multiplier, p_actor
        FROM bc_acct WHERE exception_code IS NULL AND estimated = 1;

        UPDATE bc_acct t
        JOIN meter_reading r ON r.meter_id = t.meter_id AND r.point_on = t.be
        SET t.end_reading_id = r.reading_id
        WHERE t.exception_code IS NULL AND t.estimated = 1;

        UPDATE meter_reading r
        JOIN bc_acct t ON t.next_reading_id = r.reading_id
        SET r.consumption_kwh = t.next_step
        WHERE t.exception_code IS NULL AND t.estimated = 1;

        INSERT INTO number_counter (counter_name, counter_year, last_number)
        VALUES ('bill', v_year, 0)
        ON DUPLICATE KEY UPDATE last_number = last_number;
        SELECT last_number INTO v_last FROM number_counter
        WHERE counter_name = 'bill' AND counter_year = v_year FOR UPDATE;
        UPDATE number_counter SET last_number = last_number + v_bills
        WHERE counter_name = 'bill' AND counter_year = v_year;

        DROP TEMPORARY TABLE IF EXISTS bc_num;
        CREATE TEMPORARY TABLE bc_num (
            account_id INT UNSIGNED NOT NULL PRIMARY KEY,
            seq        INT UNSIGNED NOT NULL
        ) ENGINE=MEMORY;
        INSERT INTO bc_num
        SELECT account_id, v_last + ROW_NUMBER() OVER (ORDER BY account_id)
        FROM bc_acct WHERE exception_code IS NULL;

        INSERT INTO bill (bill_no, account_id, run_id, tariff_version_id, period_start, period_end,
                          days_billed, period_days, issue_date, due_date, prev_read_on, prev_read_value,
                          end_reading_id, register_advance, consumption_kwh, estimated,
                          rebate_amount, rebate_date, total_amount, amount_paid, replaces_bill_id)
        SELECT CONCAT(v_year, '-', LPAD(n.seq, GREATEST(6, LENGTH(n.seq)), '0')),
               t.account_id, p_run_id, t.version_on_be, t.bs, t.be, t.d_days, v_P,
               p_issue_date, p_issue_date + INTERVAL p_due_days DAY, t.prev_read_on, t.prev_value,
               t.end_reading_id, t.register_advance, t.consumption, t.estimated,
               t.rebate, t.rebate_date, t.total, 0, t.replaces_bill_id
        FROM bc_acct t
        JOIN bc_num n ON n.account_id = t.account_id
        ORDER BY t.account_id;

        UPDATE bc_acct t
        JOIN bill b ON b.account_id = t.account_id AND b.period_end = t.be AND b.active_flag = 1
        SET t.bill_id = b.bill_id
        WHERE t.exception_code IS NULL;

        INSERT INTO bill_line (bill_id, line_no, kind, description, tariff_version_id, block_no,
                               quantity_kwh, rate, amount)
        SELECT t.bill_id, ROW_NUMBER() OVER (PARTITION BY l.account_id ORDER BY l.seq),
               l.kind, l.description, l.tariff_version_id, l.block_no, l.quantity_kwh, l.rate, l.amount
        FROM bc_line l
        JOIN bc_acct t ON t.account_id = l.account_id AND t.exception_code IS NULL;

        INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
        SELECT t.account_id, 'bill', t.total, t.bill_id, p_issue_date, p_actor
        FROM bc_acct t
        WHERE t.exception_code IS NULL
        ORDER BY t.account_id;

        -- the bills' notices (issue 23), in this transaction: final_bill when the period ends
        -- on the account's closing day, else bill_issued; skipped with the reason per customer
        INSERT INTO notice (kind, customer_id, account_id, bill_id, status, skip_reason)
        SELECT s.kind, s.customer_id, s.account_id, s.bill_id,
               IF(s.reason IS NULL, 'pending', 'skipped'), s.reason
        FROM (SELECT IF(a.closed_on = t.be, 'final_bill', 'bill_issued') AS kind, c.customer_id,
                     t.account_id, t.bill_id,
                     _notice_skip_reason(IF(a.closed_on = t.be, 'final_bill', 'bill_issued'),
                                         c.email, cp.email_bills, cp.email_reminders) AS reason
              -- from the chunk by primary keys only: INSERT ... SELECT share-locks what it reads,
              -- so it must read no account but the chunk's own (locked already)
              FROM bc_acct t
              STRAIGHT_JOIN account a FORCE INDEX (PRIMARY) ON a.account_id = t.account_id
              STRAIGHT_JOIN customer c FORCE INDEX (PRIMARY) ON c.customer_id = a.customer_id
              LEFT JOIN contact_preference cp FORCE INDEX (PRIMARY) ON cp.customer_id = c.customer_id
              WHERE t.exception_code IS NULL) s
        ORDER BY s.bill_id;
    END IF;

    INSERT INTO billing_exception (run_id, account_id, code, detail)
    SELECT p_run_id, account_id, exception_code, exception_detail
    FROM bc_acct WHERE exception_code IS NOT NULL;

    -- 11. Credit already on the account goes to its open bills at once (issue date as the
    --     payment date), payment by payment in payment id order.
    IF v_bills > 0 AND EXISTS (SELECT 1 FROM bc_acct t JOIN payment p ON p.credit_account_id = t.account_id
                               WHERE t.exception_code IS NULL) THEN
        SELECT COUNT(*) INTO v_locked
        FROM bill b FORCE INDEX (uk_bill_account_period)
        WHERE b.account_id IN (SELECT t.account_id FROM bc_acct t
                               JOIN payment p ON p.credit_account_id = t.account_id
                               WHERE t.exception_code IS NULL)
          AND b.cancelled_at IS NULL AND b.amount_paid < b.total_amount
        FOR UPDATE;
        OPEN c_credit;
        credit_loop: LOOP
            FETCH c_credit INTO v_payment;
            IF v_done THEN LEAVE credit_loop; END IF;
            CALL _allocate_payment(v_payment, p_issue_date, p_actor);
        END LOOP;
        CLOSE c_credit;
    END IF;

    UPDATE billing_run
    SET accounts_done = LEAST(accounts_total, accounts_done + v_chunk),
        bills_created = bills_created + v_bills,
        accounts_skipped = accounts_skipped + (v_chunk - v_bills),
        total_billed = total_billed + v_total
    WHERE run_id = p_run_id;
    SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
END
