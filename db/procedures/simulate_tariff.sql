-- simulate_tariff: the tariff what-if (billing-rules.md, "Simulations"): every bill of a tariff
-- (the tariff of the bill's tariff_version), not cancelled, with period_end in [p_from, p_to],
-- priced again as if one proposed version had been in force on all its days: the bill's own C,
-- D, P and discounts (bill_discount: the percentages it applied, of the new energy charge), one
-- segment, the proposed blocks, fixed charge and tax rate. Priced by _price_bills, the rate
-- engine of the billing run, given one version (id 0, in force from 1000-01-01 to 9999-12-31,
-- no early-payment rebate) instead of the tariff's versions.
--
-- Stores (its own tables only; nothing else is written, and of the other tables' rows only the
-- tariff's is share-locked, for an instant, by the foreign key of its tariff_simulation row):
--   tariff_simulation          the proposal, the range and the summary below
--   tariff_simulation_block    the proposed blocks
--   tariff_simulation_bill     per bill: total_now (the bill as issued, bill.issued_total: before
--                              rebates and late fees) and total_proposed
--   tariff_simulation_account  per account: the sums of its bills, change, percent change and
--                              the histogram bucket (v_tariff_simulation_bucket)
--   tariff_simulation_typical  100, 250, 500 and 1000 kWh over a 30-day period ending p_to (an
--                              account without discounts), priced with the version in force on
--                              p_to alone (total_now; NULL when none) and with the proposal
-- Simulations older than 7 days are deleted first. The bills are read under READ COMMITTED with
-- consistent (non-locking) reads, in chunks of 10,000 by bill_id (@simulation_chunk_size
-- overrides it for the session), each chunk its own transaction: memory stays bounded, and
-- payments, runs and cancels are never held up. A bill cancelled while the simulation runs is
-- in it or not, depending on the chunk's moment. (With statement-based binary logging READ
-- COMMITTED is not allowed for InnoDB writes: the reads are then REPEATABLE READ, as a
-- preview's are.)
--
-- Parameters
--   p_tariff_code   the tariff's code
--   p_fixed_charge  the proposed fixed charge per full period: >= 0, at most two decimals
--   p_tax_rate_pct  the proposed tax rate: 0..100, at most two decimals
--   p_blocks        the proposed blocks, as add_tariff_version's p_blocks (_parse_blocks)
--   p_from, p_to    the range of bill period ends, both included: p_to not before p_from, at
--                   most 400 days (a year of bills and a margin; it bounds the work of a call)
--   p_actor         who asks, required
-- Result: one row: simulation_id, bills, revenue_now, revenue_proposed, accounts_up,
--   accounts_down, accounts_same (each account once, by the sum of its bills in the range).
-- Errors: 45002 INVALID_ARGUMENT (no actor, no tariff code, a bad fixed charge or tax rate, a
--   missing date, to before from, a range over 400 days); 45031 TARIFF_INVALID_BLOCKS;
--   45001 NOT_FOUND (no tariff with that code). Checked in that order.
-- Arguments arrive as LONGTEXT and are converted into typed locals (the _arg_* functions)
-- before anything is read or written.
-- Example: CALL simulate_tariff('RES', 6.00, 10,
--              '[{"up_to_kwh": 100, "rate": 0.13}, {"up_to_kwh": null, "rate": 0.19}]',
--              '2025-12-01', '2026-11-30', 'staff:alice');
CREATE PROCEDURE simulate_tariff(IN p_tariff_code LONGTEXT,
                                 IN p_fixed_charge LONGTEXT,
                                 IN p_tax_rate_pct LONGTEXT,
                                 IN p_blocks LONGTEXT,
                                 IN p_from LONGTEXT,
                                 IN p_to LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_tariff_code VARCHAR(100) DEFAULT _arg_text(p_tariff_code, 'tariff_code', 100);
    DECLARE v_fixed_charge DECIMAL(20,6)
        DEFAULT _arg_decimal(p_fixed_charge, 'fixed_charge', 14, 6, 45002);
    DECLARE v_tax_rate_pct DECIMAL(20,6)
        DEFAULT _arg_decimal(p_tax_rate_pct, 'tax_rate_pct', 14, 6, 45002);
    DECLARE v_from DATE DEFAULT _arg_date(p_from, 'from');
    DECLARE v_to DATE DEFAULT _arg_date(p_to, 'to');
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_tariff_id INT UNSIGNED;
    DECLARE v_current INT UNSIGNED;
    DECLARE v_sim INT UNSIGNED DEFAULT NULL;
    DECLARE v_chunk_size INT DEFAULT @simulation_chunk_size;
    DECLARE v_after INT UNSIGNED DEFAULT 0;
    DECLARE v_n INT;
    DECLARE v_max INT UNSIGNED;
    DECLARE v_rc TINYINT DEFAULT NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin
                                      AND @@SESSION.binlog_format = 'STATEMENT');
    DECLARE v_heap BIGINT UNSIGNED DEFAULT @@SESSION.max_heap_table_size;
    DECLARE v_tmp BIGINT UNSIGNED DEFAULT @@SESSION.tmp_table_size;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;
        IF v_sim IS NOT NULL THEN
            UPDATE tariff_simulation SET status = 'failed', finished_at = NOW()
            WHERE simulation_id = v_sim;
            COMMIT;
        END IF;
        RESIGNAL;
    END;

    -- arguments (45002), then the blocks (45031)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF _is_blank(v_tariff_code) THEN
        CALL _fail(45002, 'tariff_code is required');
    END IF;
    IF v_fixed_charge IS NULL OR v_fixed_charge < 0 OR v_fixed_charge >= 10000000000
       OR v_fixed_charge <> ROUND(v_fixed_charge, 2) THEN
        CALL _fail(45002, 'fixed_charge must be zero or more, with at most two decimals');
    END IF;
    IF v_tax_rate_pct IS NULL OR v_tax_rate_pct < 0 OR v_tax_rate_pct > 100
       OR v_tax_rate_pct <> ROUND(v_tax_rate_pct, 2) THEN
        CALL _fail(45002, 'tax_rate_pct must be 0..100 with at most two decimals');
    END IF;
    IF v_from IS NULL THEN
        CALL _fail(45002, 'from is required (the first period end of the range)');
    END IF;
    IF v_to IS NULL THEN
        CALL _fail(45002, 'to is required (the last period end of the range)');
    END IF;
    IF v_to < v_from THEN
        CALL _fail(45002, CONCAT('to ', v_to, ' is before from ', v_from));
    END IF;
    IF DATEDIFF(v_to, v_from) + 1 > 400 THEN
        CALL _fail(45002, CONCAT('to ', v_to, ' is more than 400 days after from ', v_from,
                                 ': simulate at most 400 days at a time'));
    END IF;
    CALL _parse_blocks(p_blocks);

    -- the tariff (45001), and its version in force on p_to (for the typical levels)
    SELECT tariff_id INTO v_tariff_id FROM tariff WHERE code = TRIM(v_tariff_code);
    IF v_tariff_id IS NULL THEN
        CALL _fail(45001, CONCAT('no tariff with code ', LEFT(TRIM(v_tariff_code), 100)));
    END IF;
    SELECT tariff_version_id INTO v_current FROM tariff_version
    WHERE tariff_id = v_tariff_id AND effective_from <= v_to
    ORDER BY effective_from DESC LIMIT 1;

    IF v_chunk_size IS NULL OR v_chunk_size < 1 THEN
        SET v_chunk_size = 10000;
    END IF;
    -- the work tables of _price_bills are MEMORY tables (see _compute_bills): room for a chunk
    SET SESSION max_heap_table_size = GREATEST(v_heap, 4294967296),
        SESSION tmp_table_size = GREATEST(v_tmp, 1073741824);

    START TRANSACTION;
    DELETE FROM tariff_simulation WHERE created_at < NOW() - INTERVAL 7 DAY;
    INSERT INTO tariff_simulation (tariff_id, fixed_charge, tax_rate_pct, date_from, date_to,
                                   current_version_id, created_by, created_at)
    VALUES (v_tariff_id, v_fixed_charge, v_tax_rate_pct, v_from, v_to, v_current, v_actor, NOW());
    SET v_sim = LAST_INSERT_ID();
    INSERT INTO tariff_simulation_block (simulation_id, block_no, up_to_kwh, rate)
    SELECT v_sim, block_no, up_to_kwh, rate FROM parsed_blocks;
    COMMIT;

    -- The one proposed version (id 0, price key tariff 0) and its blocks, for _price_bills.
    CALL _new_pricing_tariffs();
    INSERT INTO bc_version VALUES (0, 0, '1000-01-01', '9999-12-31', v_fixed_charge, v_tax_rate_pct, 0, 0);
    INSERT INTO bc_block SELECT 0, block_no, lower_kwh, up_to_kwh, rate FROM parsed_blocks;

    -- The bills to price: a consistent read (READ COMMITTED, no locks), ids only.
    DROP TEMPORARY TABLE IF EXISTS sim_candidates;
    CREATE TEMPORARY TABLE sim_candidates (bill_id INT UNSIGNED NOT NULL PRIMARY KEY);
    COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
    IF v_rc THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    INSERT INTO sim_candidates
    SELECT b.bill_id
    FROM tariff_version tv
    JOIN bill b ON b.tariff_version_id = tv.tariff_version_id
         AND b.period_end BETWEEN v_from AND v_to
    WHERE tv.tariff_id = v_tariff_id AND b.cancelled_at IS NULL;
    COMMIT;

    -- One iteration per chunk: each chunk is its own short transaction, so this is a loop.
    chunk_loop: LOOP
        COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
        IF v_rc THEN
            SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
        END IF;
        START TRANSACTION;
        CALL _new_pricing_bills();
        INSERT INTO bc_price (price_key, variant, account_id, bill_id, tariff_id, bs, be, d_days, p_days,
                              consumption)
        SELECT b.bill_id, 0, b.account_id, b.bill_id, 0, b.period_start, b.period_end, b.days_billed,
               b.period_days, b.consumption_kwh
        FROM (SELECT bill_id FROM sim_candidates WHERE bill_id > v_after
              ORDER BY bill_id LIMIT v_chunk_size) c
        JOIN bill b ON b.bill_id = c.bill_id;
        SELECT COUNT(*), MAX(price_key) INTO v_n, v_max FROM bc_price;
        IF v_n = 0 THEN
            COMMIT;
            LEAVE chunk_loop;
        END IF;

        CALL _price_bills();

        INSERT INTO tariff_simulation_bill (simulation_id, bill_id, account_id, period_end,
                                            days_billed, consumption_kwh, total_now, total_proposed)
        SELECT v_sim, b.bill_id, b.account_id, b.period_end, b.days_billed, b.consumption_kwh,
               b.issued_total, p.total
        FROM bc_price p
        JOIN bill b ON b.bill_id = p.price_key;
        COMMIT;
        SET v_after = v_max;
    END LOOP;
    DROP TEMPORARY TABLE IF EXISTS sim_candidates;

    -- Typical levels: 30 days ending p_to, an account without discounts (id 0), variant 0 with
    -- the version in force on p_to alone (price key tariff 1), variant 1 with the proposal.
    CALL _new_pricing_bills();
    -- (READ COMMITTED: the INSERT ... SELECTs below read tariff_version, tariff_block and this
    -- simulation's rows without share-locking them)
    COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
    IF v_rc THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    IF v_current IS NOT NULL THEN
        INSERT INTO bc_version
        SELECT v.tariff_version_id, 1, '1000-01-01', '9999-12-31', v.fixed_charge, v.tax_rate_pct, 0, 0
        FROM tariff_version v WHERE v.tariff_version_id = v_current;
        INSERT INTO bc_block
        SELECT k.tariff_version_id, k.block_no,
               CAST(COALESCE(LAG(k.up_to_kwh) OVER (ORDER BY k.block_no), 0) AS DECIMAL(14,4)),
               k.up_to_kwh, k.rate
        FROM tariff_block k WHERE k.tariff_version_id = v_current;
    END IF;
    INSERT INTO bc_price (price_key, variant, account_id, tariff_id, bs, be, d_days, p_days, consumption)
    SELECT l.kwh, x.variant, 0, x.tariff_key, v_to - INTERVAL 29 DAY, v_to, 30, 30, l.kwh
    FROM (SELECT 100 AS kwh UNION ALL SELECT 250 UNION ALL SELECT 500 UNION ALL SELECT 1000) l
    CROSS JOIN (SELECT 0 AS variant, 1 AS tariff_key UNION ALL SELECT 1, 0) x
    WHERE x.variant = 1 OR v_current IS NOT NULL;
    CALL _price_bills();
    INSERT INTO tariff_simulation_typical (simulation_id, consumption_kwh, period_days, total_now,
                                           total_proposed)
    -- one row per consumption, the two variants side by side (not a join of bc_price with
    -- itself: MySQL cannot open a temporary table twice in one statement)
    SELECT v_sim, p.price_key, 30, MAX(IF(p.variant = 0, p.total, NULL)),
           MAX(IF(p.variant = 1, p.total, NULL))
    FROM bc_price p
    GROUP BY p.price_key
    HAVING SUM(p.variant = 1) > 0;

    -- Per account: the sums of its bills, the change and its bucket; then the summary.
    INSERT INTO tariff_simulation_account (simulation_id, account_id, bills, consumption_kwh,
                                           total_now, total_proposed, change_amount, change_pct,
                                           bucket_no)
    SELECT v_sim, x.account_id, x.bills, x.kwh, x.now_total, x.proposed, x.proposed - x.now_total,
           IF(x.now_total > 0, ROUND((x.proposed - x.now_total) * 100 / x.now_total, 2), NULL),
           k.bucket_no
    FROM (SELECT s.account_id, COUNT(*) AS bills, SUM(s.consumption_kwh) AS kwh,
                 SUM(s.total_now) AS now_total, SUM(s.total_proposed) AS proposed
          FROM tariff_simulation_bill s
          WHERE s.simulation_id = v_sim
          GROUP BY s.account_id) x
    JOIN v_tariff_simulation_bucket k
      ON CASE WHEN x.proposed = x.now_total THEN k.lower_pct = 0 AND k.upper_pct = 0
              WHEN x.now_total <= 0 THEN IF(x.proposed > x.now_total, k.upper_pct IS NULL,
                                            k.lower_pct IS NULL)
              ELSE NOT (k.lower_pct <=> 0 AND k.upper_pct <=> 0)
                   AND (k.lower_pct IS NULL OR (x.proposed - x.now_total) * 100 >= k.lower_pct * x.now_total)
                   AND (k.upper_pct IS NULL OR (x.proposed - x.now_total) * 100 < k.upper_pct * x.now_total)
         END;

    UPDATE tariff_simulation t
    JOIN (SELECT COALESCE(SUM(a.bills), 0) AS bills, COUNT(*) AS accounts,
                 COALESCE(SUM(a.total_now), 0) AS revenue_now,
                 COALESCE(SUM(a.total_proposed), 0) AS revenue_proposed,
                 COALESCE(SUM(a.change_amount > 0), 0) AS up_,
                 COALESCE(SUM(a.change_amount < 0), 0) AS down_,
                 COALESCE(SUM(a.change_amount = 0), 0) AS same_
          FROM tariff_simulation_account a WHERE a.simulation_id = v_sim) x
    SET t.status = 'completed', t.finished_at = NOW(), t.bills = x.bills, t.accounts = x.accounts,
        t.revenue_now = x.revenue_now, t.revenue_proposed = x.revenue_proposed,
        t.accounts_up = x.up_, t.accounts_down = x.down_, t.accounts_same = x.same_
    WHERE t.simulation_id = v_sim;
    COMMIT;
    SET SESSION max_heap_table_size = v_heap, SESSION tmp_table_size = v_tmp;

    SELECT simulation_id, bills, revenue_now, revenue_proposed, accounts_up, accounts_down,
           accounts_same
    FROM tariff_simulation WHERE simulation_id = v_sim;
END
