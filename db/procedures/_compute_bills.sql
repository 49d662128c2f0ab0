-- _compute_bills: computes the bills of the accounts listed in the temporary table billing_chunk
-- (the engine shared by run_billing, bill_account and preview_billing), set-based, and stores
-- nothing: the result is in temporary work tables for the caller to store (_store_bills) or to
-- keep as a preview.
--
-- Implements "The billing period of one account", "Tariffs" and "Bill totals" of
-- billing-rules.md for every account of the chunk at once (be = min(period_end, closed_on);
-- the final bill of a closed account ends on closed_on, estimated from the window's latest
-- point when there is no point that day; C spans a meter exchange, each step on its own
-- meter; points in review before an accepted end reading are passed over, C running from
-- accepted point to accepted point; READ_NEEDS_REVIEW also when a final bill's latest point m
-- is in review), and "Why a bill differs" of "Simulations": each bill with a previous bill is
-- priced a second time (variant 1) with C' = ROUND(C0 * D1 / D0, 4), giving X,
-- usage_effect = T1 - X and other_effect = X - T0. Each step is one statement over the whole
-- chunk, on temporary work tables (bc_*); the prices come from _price_bills.
--
-- Parameters
--   p_period_start/end  the period; P = end - start + 1
--   p_issue_date        issue date (the rebate date is counted from it)
--   p_lock              1 (a run: the caller's transaction bills these accounts): lock the
--                       chunk's accounts (by account_id), their meters, and share-lock their
--                       tariffs, in the project's order, before reading them; 0 (a preview):
--                       lock nothing (the caller reads under READ COMMITTED: consistent reads,
--                       no locks, so payments are never held up by a preview)
-- Result: none (no result set). Work tables left for the caller:
--   bc_acct  one row per considered account: bs, be, D, meter, previous and end reading (an
--            estimate: estimated = 1, end_value, advance, next_reading_id/next_step for the
--            point after it), C, the totals (energy, fixed, discounts, tax, total, rebate,
--            rebate_date, version_on_be), replaces_bill_id, the comparison (prev_bill_id,
--            prev_total, prev_consumption, prev_days, usage_effect, other_effect,
--            last_year_bill_id), or exception_code/exception_detail when not billed
--   bc_line  the lines of every bill (price_key = account_id, variant 0 the bill; variant 1
--            the X pricing), in bill order by seq
--   Accounts of billing_chunk not considered at all (no service in the period, no meter on be,
--   an overlapping bill that is not cancelled) have no bc_acct row.
-- Errors: whatever a statement raises (the caller rolls back).
--
-- Work tables: ENGINE=MEMORY (no undo or redo for rows thrown away after the chunk; an UPDATE
-- of 10,000 work rows costs a tenth of the same on an InnoDB temporary table). A MEMORY table's
-- size limit is max_heap_table_size when it is created, so the session's value is raised to
-- 4 GiB while this procedure runs, and tmp_table_size to 1 GiB (the server's own temporary
-- table for the window over the chunk's lines stays in memory); both are put back at the end,
-- also when it fails (memory is taken as rows arrive: about 50 MB for a chunk of 10,000 accounts). MEMORY rows have a fixed
-- width (a VARCHAR takes its full length), so the work columns of our own words are ascii.
--
-- Exact arithmetic: the rules' divisions (C * d_i / D, up_to * d_i / P, fixed * d_i / P,
-- C0 * D1 / D0 and the estimate's advance * D / days) are ROUNDed right away. MySQL/MariaDB
-- divide DECIMALs to 4 more decimals than the dividend (div_precision_increment = 4), so the
-- quotient is off by at most 5e-9 (5e-7 for money), while with denominators of at most 62 days
-- (186 for the estimate) an exact quotient is either on a rounding boundary (then the decimal
-- quotient is exact) or at least 0.5e-4/62 = 8e-7 (0.5e-2/186 = 2.7e-5 for money) away from
-- one: ROUND gives the exact result. Do not lower div_precision_increment on a billing server.
CREATE PROCEDURE _compute_bills(IN p_period_start DATE, IN p_period_end DATE,
                                IN p_issue_date DATE, IN p_lock TINYINT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_P INT DEFAULT DATEDIFF(p_period_end, p_period_start) + 1;
    DECLARE v_locked INT;
    DECLARE v_heap BIGINT UNSIGNED DEFAULT @@SESSION.max_heap_table_size;
    DECLARE v_tmp BIGINT UNSIGNED DEFAULT @@SESSION.tmp_table_size;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
        RESIGNAL;
    END;

    SET SESSION max_heap_table_size = GREATEST(v_heap, 4294967296),
        SESSION tmp_table_size = GREATEST(v_tmp, 1073741824);

    -- 1. Lock the accounts in account_id order (a run), then take the billable ones with their meter.
    -- From the chunk to the accounts by primary key (STRAIGHT_JOIN): the other join order scans
    -- account and locks every row it reads, other sessions' accounts included.
    IF p_lock THEN
        SELECT COUNT(*) INTO v_locked
        FROM billing_chunk c STRAIGHT_JOIN account a ON a.account_id = c.account_id
        FOR UPDATE;
    END IF;

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
        cur_installed_on DATE             NOT NULL,
        prev_bill_id     INT UNSIGNED     NULL,
        prev_total       DECIMAL(12,2)    NULL,
        prev_consumption DECIMAL(14,4)    NULL,
        prev_days        SMALLINT         NULL,
        usage_effect     DECIMAL(12,2)    NULL,
        other_effect     DECIMAL(12,2)    NULL,
        last_year_bill_id INT UNSIGNED    NULL
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
          STRAIGHT_JOIN account a ON a.account_id = c.account_id) x
    -- from the chunk to its installations by index (STRAIGHT_JOIN): with skewed statistics
    -- the optimizer scanned meter_installation whole for every chunk, a cost that grows with
    -- the table (seen at 10k accounts: 10,400 rows read for a chunk of 100)
    STRAIGHT_JOIN meter_installation mi FORCE INDEX (ix_installation_account)
         ON mi.account_id = x.account_id
         AND mi.installed_on <= x.be
         AND (mi.removed_on IS NULL OR mi.removed_on >= x.be)
    STRAIGHT_JOIN meter m ON m.meter_id = mi.meter_id
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


    IF p_lock THEN
        -- Lock the meters (record_reading takes the meter lock too).
        SELECT COUNT(*) INTO v_locked
        FROM bc_acct t STRAIGHT_JOIN meter m ON m.meter_id = t.meter_id
        FOR UPDATE;

        -- Share-lock the tariffs priced here: add_tariff_version locks its tariff row before it
        -- checks TARIFF_RETROACTIVE, so it sees these bills once they are committed.
        SELECT COUNT(*) INTO v_locked
        FROM tariff
        WHERE tariff_id IN (SELECT tariff_id FROM bc_acct)
        LOCK IN SHARE MODE;
    END IF;

    -- 2. The previous register value: the end reading of the latest bill, else the initial read.
    UPDATE bc_acct t
    JOIN bc_prev p ON p.account_id = t.account_id
    JOIN bill b ON b.account_id = t.account_id AND b.period_end = p.period_end
    JOIN meter_reading r ON r.reading_id = b.end_reading_id
    SET t.prev_reading_id = r.reading_id, t.prev_read_on = r.read_on, t.prev_value = r.value,
        t.later_bill_no = IF(b.period_start > t.be, b.bill_no, NULL),
        t.prev_bill_id = b.bill_id, t.prev_total = b.issued_total,
        t.prev_consumption = b.consumption_kwh, t.prev_days = b.days_billed
    WHERE b.cancelled_at IS NULL;

    -- no previous bill: the initial read of the account's first meter
    UPDATE bc_acct t
    STRAIGHT_JOIN meter_installation mi FORCE INDEX (ix_installation_account)
         ON mi.account_id = t.account_id
         AND mi.installed_on = (SELECT MIN(m2.installed_on) FROM meter_installation m2
                                WHERE m2.account_id = t.account_id)
    STRAIGHT_JOIN meter_reading r ON r.meter_id = mi.meter_id AND r.kind = 'initial'
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
    --    ix_reading_point_kwh per installation. in_review counts the window's points in review:
    --    the stored steps run through them, so such a window is summed again below.
    DROP TEMPORARY TABLE IF EXISTS bc_window;
    CREATE TEMPORARY TABLE bc_window (
        account_id INT UNSIGNED  NOT NULL PRIMARY KEY,
        last_point DATE          NULL,
        kwh        DECIMAL(14,4) NOT NULL,
        reg        DECIMAL(14,2) NOT NULL,
        in_review  INT           NOT NULL
    ) ENGINE=MEMORY;
    INSERT INTO bc_window
    SELECT t.account_id, MAX(IF(r.meter_id = t.meter_id, r.point_on, NULL)), SUM(r.consumption_kwh),
           ROUND(SUM(r.consumption_kwh / m.multiplier), 2), SUM(r.status = 'review')
    FROM bc_acct t
    STRAIGHT_JOIN meter_installation mi FORCE INDEX (ix_installation_account)
         ON mi.account_id = t.account_id
         AND mi.installed_on <= t.be AND (mi.removed_on IS NULL OR mi.removed_on > t.prev_read_on)
    STRAIGHT_JOIN meter m ON m.meter_id = mi.meter_id
    STRAIGHT_JOIN meter_reading r FORCE INDEX (ix_reading_point_kwh)
         ON r.meter_id = mi.meter_id AND r.point_on > t.prev_read_on AND r.point_on <= t.be
        AND r.point_on >= mi.installed_on AND (mi.removed_on IS NULL OR r.point_on <= mi.removed_on)
    GROUP BY t.account_id;

    -- Points in review are passed over (when the end reading is one, READ_NEEDS_REVIEW below):
    -- such a window's C runs from the previous value through its accepted points only, each step
    -- from the accepted point before it on the same meter (_register_advance: a rollover whenever
    -- the value is lower), the previous reading being the first point of its meter and a new
    -- meter's initial read the first of the new meter (no step across an exchange). Rare: a
    -- window with a point in review whose reading was neither approved nor rejected.
    DROP TEMPORARY TABLE IF EXISTS bc_passed_over;
    CREATE TEMPORARY TABLE bc_passed_over (
        account_id INT UNSIGNED  NOT NULL PRIMARY KEY,
        kwh        DECIMAL(14,4) NOT NULL,
        reg        DECIMAL(14,2) NOT NULL
    ) ENGINE=MEMORY;
    INSERT INTO bc_passed_over
    SELECT s.account_id, COALESCE(SUM(s.reg * s.multiplier), 0), COALESCE(SUM(s.reg), 0)
    FROM (SELECT t.account_id, m.multiplier,
                 _register_advance(LAG(r.value) OVER (PARTITION BY t.account_id, r.meter_id ORDER BY r.point_on),
                                   r.value, m.dial_digits) AS reg
          FROM bc_window w
          JOIN bc_acct t ON t.account_id = w.account_id
          JOIN meter_installation mi ON mi.account_id = t.account_id
               AND mi.installed_on <= t.be AND (mi.removed_on IS NULL OR mi.removed_on > t.prev_read_on)
          JOIN meter m ON m.meter_id = mi.meter_id
          JOIN meter_reading r ON r.meter_id = mi.meter_id AND r.status = 'accepted'
               AND r.point_on >= t.prev_read_on AND r.point_on <= t.be
               AND r.point_on >= mi.installed_on AND (mi.removed_on IS NULL OR r.point_on <= mi.removed_on)
          WHERE w.in_review > 0) s
    GROUP BY s.account_id;

    UPDATE bc_window w
    JOIN bc_passed_over o ON o.account_id = w.account_id
    SET w.kwh = o.kwh, w.reg = o.reg;

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

    CALL _new_pricing_tariffs();
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
    -- point n after be (rollover applied, over any point in review between: _register_advance);
    -- advance = ROUND(step * (be - prev_date) / (n_date - prev_date), 2), in integer cents with
    -- DIV (half away from zero for a non-negative quotient: (2a + d) DIV 2d), exact whatever
    -- the number of days.
    UPDATE bc_acct t
    JOIN meter_reading r ON r.meter_id = t.meter_id
         AND r.point_on = (SELECT MIN(r2.point_on) FROM meter_reading r2
                           WHERE r2.meter_id = t.meter_id AND r2.point_on > t.be AND r2.status = 'accepted')
    SET t.interp_on = r.read_on,
        t.interp_step = _register_advance(t.prev_value, r.value, t.dial_digits)
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

    -- 7. The versions' blocks, bounds from the previous block's up_to (scaled by _price_bills).
    INSERT INTO bc_block
    SELECT k.tariff_version_id, k.block_no,
           CAST(COALESCE(LAG(k.up_to_kwh) OVER (PARTITION BY k.tariff_version_id ORDER BY k.block_no), 0)
                AS DECIMAL(14,4)),
           CAST(k.up_to_kwh AS DECIMAL(14,4)), k.rate
    FROM tariff_block k
    JOIN bc_version v ON v.tariff_version_id = k.tariff_version_id
    WHERE v.effective_from <= p_period_end AND v.effective_to >= p_period_start;

    -- 8. Price each bill (variant 0) and, when it has a previous bill, the same bill with the
    --    previous bill's daily consumption C' = ROUND(C0 * D1 / D0, 4) (variant 1: X).
    CALL _new_pricing_bills();
    INSERT INTO bc_price (price_key, variant, account_id, tariff_id, bs, be, d_days, p_days, consumption)
    SELECT account_id, 0, account_id, tariff_id, bs, be, d_days, v_P, consumption
    FROM bc_acct WHERE exception_code IS NULL;
    INSERT INTO bc_price (price_key, variant, account_id, tariff_id, bs, be, d_days, p_days, consumption)
    SELECT account_id, 1, account_id, tariff_id, bs, be, d_days, v_P,
           ROUND(prev_consumption * d_days / prev_days, 4)
    FROM bc_acct WHERE exception_code IS NULL AND prev_bill_id IS NOT NULL;

    CALL _price_bills();

    -- 9. The totals, the early-payment rebate with the version on be, X's effects.
    UPDATE bc_acct t
    JOIN bc_price p ON p.price_key = t.account_id AND p.variant = 0
    JOIN bc_version v ON v.tariff_version_id = p.version_on_be
    SET t.version_on_be = p.version_on_be, t.energy = p.energy, t.fixed = p.fixed,
        t.discounts = p.discounts, t.tax = p.tax, t.total = p.total,
        t.rebate = IF(v.early_pay_pct > 0, ROUND(p.energy * v.early_pay_pct / 100, 2), 0),
        t.rebate_date = IF(v.early_pay_pct > 0, p_issue_date + INTERVAL v.early_pay_days DAY, NULL);

    UPDATE bc_acct t
    JOIN bc_price x ON x.price_key = t.account_id AND x.variant = 1
    SET t.usage_effect = t.total - x.total, t.other_effect = x.total - t.prev_total;

    -- Discounts of more than 100% of energy in all would make a negative bill: not billed.
    UPDATE bc_acct
    SET exception_code = 'NEGATIVE_TOTAL',
        exception_detail = CONCAT('the discounts (', discounts, ') exceed the charges: total ', total)
    WHERE exception_code IS NULL AND total < 0;

    -- The bill a rebill replaces: the account's latest cancelled bill overlapping [bs, be] that
    -- no bill replaces yet (billing-rules.md, "Corrections"); latest by period_end, as the
    -- rules order an account's bills for cancel_bill (then the later bill of one period)
    UPDATE bc_acct t
    SET t.replaces_bill_id = (SELECT c.bill_id FROM bill c
                              WHERE c.account_id = t.account_id AND c.cancelled_at IS NOT NULL
                                AND c.period_start <= t.be AND c.period_end >= t.bs
                                AND NOT EXISTS (SELECT 1 FROM bill r WHERE r.replaces_bill_id = c.bill_id)
                              ORDER BY c.period_end DESC, c.bill_id DESC LIMIT 1)
    WHERE t.exception_code IS NULL;

    -- The same period last year: the latest bill (not cancelled) whose period_end lies 351 to
    -- 379 days before be (uk_bill_account_period, one range per account).
    UPDATE bc_acct t
    SET t.last_year_bill_id = (SELECT y.bill_id FROM bill y
                               WHERE y.account_id = t.account_id AND y.active_flag = 1
                                 AND y.period_end BETWEEN t.be - INTERVAL 379 DAY AND t.be - INTERVAL 351 DAY
                               ORDER BY y.period_end DESC LIMIT 1)
    WHERE t.exception_code IS NULL;

    SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
END
