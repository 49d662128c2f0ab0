-- _price_bills: prices a set of bills by "Tariffs" and "Bill totals" of billing-rules.md, set-based:
-- segments at version changes, energy lines per segment and block (bounds scaled by d_i / P),
-- fixed lines, discounts valid on be (a bill priced again: its own), tax with the version in
-- force on be. The rate engine
-- shared by every use of the rules: a billing run and bill_account (_compute_bills), the
-- preview of a run (the same), the bill priced with the previous bill's daily consumption
-- ("why this bill differs", variant 1 of _compute_bills) and the tariff what-if
-- (simulate_tariff, with a proposed version).
--
-- Input (temporary tables the caller creates with _new_pricing_bills and _new_pricing_tariffs,
-- then fills):
--   bc_price   one row per bill to price: price_key (the account in a run, the bill in a
--              simulation) and variant (0 the bill, 1 an alternative pricing of it), account_id
--              (whose discounts valid on be apply), bill_id (set: a stored bill priced again,
--              with the discounts it applied, bill_discount), tariff_id, bs, be, d_days (D),
--              p_days (P), consumption (C)
--   bc_version the tariff versions with the day each ends (effective_to)
--   bc_block   their blocks: lower_kwh (the previous block's up_to, 0 for the first),
--              upper_kwh (NULL for the open block), rate
-- Output:
--   bc_seg     the segments (price_key, variant, seg_no)
--   bc_line    the lines (price_key, variant, seq): energy, fixed, discount and tax lines in
--              bill order (seq), before the rebate
--   bc_price   version_on_be, energy (E), fixed (F), discounts, tax (T), total (E + F + disc + T)
-- Result: none (no result set). Errors: whatever a statement raises.
-- Every row of bc_price must have a version in force on every day of [bs, be] (the caller
-- records NO_TARIFF first). Nothing but the work tables is written; nothing is locked.
--
-- Exact arithmetic: the divisions (C * d_i / D, up_to * d_i / P, fixed * d_i / P) are ROUNDed
-- at once; see _compute_bills for why a DECIMAL quotient rounds to the exact result.
CREATE PROCEDURE _price_bills()
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- Segments at version changes; the last segment takes C minus the others.
    DROP TEMPORARY TABLE IF EXISTS bc_seg;
    CREATE TEMPORARY TABLE bc_seg (
        price_key         INT UNSIGNED  NOT NULL,
        variant           TINYINT       NOT NULL,
        seg_no            SMALLINT      NOT NULL,
        tariff_version_id INT UNSIGNED  NOT NULL,
        seg_start         DATE          NOT NULL,
        seg_count         SMALLINT      NOT NULL,
        d_i               SMALLINT      NOT NULL,
        p_days            SMALLINT      NOT NULL,
        c_i               DECIMAL(14,4) NOT NULL,
        PRIMARY KEY (price_key, variant, seg_no) USING BTREE
    ) ENGINE=MEMORY;
    INSERT INTO bc_seg
    SELECT s.price_key, s.variant, s.seg_no, s.tariff_version_id, s.seg_start, s.seg_count, s.d_i,
           s.p_days, IF(s.seg_no = s.seg_count, s.consumption - COALESCE(s.prior, 0), s.c_round)
    FROM (SELECT x.*,
                 ROW_NUMBER() OVER (PARTITION BY x.price_key, x.variant ORDER BY x.seg_start) AS seg_no,
                 COUNT(*) OVER (PARTITION BY x.price_key, x.variant) AS seg_count,
                 SUM(x.c_round) OVER (PARTITION BY x.price_key, x.variant ORDER BY x.seg_start
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior
          FROM (SELECT t.price_key, t.variant, t.consumption, t.p_days, v.tariff_version_id,
                       GREATEST(t.bs, v.effective_from) AS seg_start,
                       DATEDIFF(LEAST(t.be, v.effective_to), GREATEST(t.bs, v.effective_from)) + 1 AS d_i,
                       ROUND(t.consumption
                             * (DATEDIFF(LEAST(t.be, v.effective_to), GREATEST(t.bs, v.effective_from)) + 1)
                             / t.d_days, 4) AS c_round
                FROM bc_price t
                JOIN bc_version v ON v.tariff_id = t.tariff_id
                     AND v.effective_from <= t.be AND v.effective_to >= t.bs) x) s;

    UPDATE bc_price t
    JOIN bc_version v ON v.tariff_id = t.tariff_id AND v.effective_from <= t.be AND v.effective_to >= t.be
    SET t.version_on_be = v.tariff_version_id;

    -- Lines: energy per segment and block (bounds scaled by d_i / P), fixed per segment.
    DROP TEMPORARY TABLE IF EXISTS bc_line;
    CREATE TEMPORARY TABLE bc_line (
        price_key         INT UNSIGNED     NOT NULL,
        variant           TINYINT          NOT NULL,
        seq               INT UNSIGNED     NOT NULL,
        kind              VARCHAR(16)      CHARACTER SET ascii NOT NULL,
        description       VARCHAR(200)     NOT NULL,
        tariff_version_id INT UNSIGNED     NULL,
        block_no          TINYINT UNSIGNED NULL,
        quantity_kwh      DECIMAL(14,4)    NULL,
        rate              DECIMAL(12,6)    NULL,
        amount            DECIMAL(12,2)    NOT NULL,
        PRIMARY KEY (price_key, variant, seq) USING BTREE
    ) ENGINE=MEMORY;
    -- (a segment of the whole period has the block's own bounds: d_i / P = 1)
    INSERT INTO bc_line
    SELECT e.price_key, e.variant, e.seg_no * 1000 + e.block_no, 'energy',
           CONCAT('Energy, block ', e.block_no, ' (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM e.lo)),
                  IF(e.hi IS NULL, ' kWh and above',
                     CONCAT('-', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM e.hi)), ' kWh')),
                  IF(e.seg_count > 1, CONCAT(', ', e.d_i, ' days from ', e.seg_start), ''), ')'),
           e.tariff_version_id, e.block_no, e.q, e.rate, ROUND(e.q * e.rate, 2)
    FROM (SELECT s.price_key, s.variant, s.seg_no, s.seg_start, s.seg_count, s.d_i, s.p_days,
                 s.tariff_version_id, k.block_no, k.rate,
                 ROUND(k.lower_kwh * s.d_i / s.p_days, 4) AS lo,
                 ROUND(k.upper_kwh * s.d_i / s.p_days, 4) AS hi,
                 GREATEST(0, LEAST(s.c_i, COALESCE(ROUND(k.upper_kwh * s.d_i / s.p_days, 4), s.c_i))
                             - ROUND(k.lower_kwh * s.d_i / s.p_days, 4)) AS q
          FROM bc_seg s
          JOIN bc_block k ON k.tariff_version_id = s.tariff_version_id) e
    WHERE e.q > 0;

    INSERT INTO bc_line
    SELECT s.price_key, s.variant, s.seg_no * 1000 + 999, 'fixed',
           IF(s.d_i = s.p_days, 'Fixed charge',
              CONCAT('Fixed charge, ', s.d_i, ' of ', s.p_days, ' days from ', s.seg_start)),
           s.tariff_version_id, NULL, NULL, NULL, ROUND(v.fixed_charge * s.d_i / s.p_days, 2)
    FROM bc_seg s
    JOIN bc_version v ON v.tariff_version_id = s.tariff_version_id;

    UPDATE bc_price t
    JOIN (SELECT l.price_key, l.variant,
                 SUM(IF(l.kind = 'energy', l.amount, 0)) AS e,
                 SUM(IF(l.kind = 'fixed', l.amount, 0)) AS f
          FROM bc_line l GROUP BY l.price_key, l.variant) x
      ON x.price_key = t.price_key AND x.variant = t.variant
    SET t.energy = x.e, t.fixed = x.f;

    -- Discounts valid on be (percent of the energy charge), then tax with the version on be.
    -- A bill priced again (bill_id set: the tariff what-if) has the discounts it applied, at
    -- the percentage it applied (bill_discount), whatever was assigned or changed since.
    -- seq 1000000 + account_discount_id: after the energy and fixed lines, in assignment order
    -- (_store_bills reads the id back from it).
    -- Two statements, not one UNION: MySQL opens a temporary table (bc_price) once a statement.
    INSERT INTO bc_line
    SELECT t.price_key, t.variant, 1000000 + ad.account_discount_id, 'discount',
           CONCAT('Discount: ', d.name, ' (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM d.pct)), '% of energy)'),
           NULL, NULL, NULL, NULL, -ROUND(t.energy * d.pct / 100, 2)
    -- from the bills to their account's discounts by its index (bc_price has no index on
    -- account_id: the other join order scans the work table once per discount row)
    FROM bc_price t
    STRAIGHT_JOIN account_discount ad ON ad.account_id = t.account_id
         AND ad.valid_from <= t.be AND (ad.valid_to IS NULL OR ad.valid_to >= t.be)
    STRAIGHT_JOIN discount d ON d.discount_id = ad.discount_id
    WHERE t.bill_id IS NULL;

    INSERT INTO bc_line
    SELECT t.price_key, t.variant, 1000000 + bd.account_discount_id, 'discount',
           CONCAT('Discount: ', d.name, ' (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM bd.pct)), '% of energy)'),
           NULL, NULL, NULL, NULL, -ROUND(t.energy * bd.pct / 100, 2)
    FROM bc_price t
    STRAIGHT_JOIN bill_discount bd ON bd.bill_id = t.bill_id
    STRAIGHT_JOIN account_discount ad ON ad.account_discount_id = bd.account_discount_id
    STRAIGHT_JOIN discount d ON d.discount_id = ad.discount_id
    WHERE t.bill_id IS NOT NULL;

    UPDATE bc_price t
    JOIN (SELECT l.price_key, l.variant, SUM(l.amount) AS amt FROM bc_line l
          WHERE l.kind = 'discount' GROUP BY l.price_key, l.variant) x
      ON x.price_key = t.price_key AND x.variant = t.variant
    SET t.discounts = x.amt;

    UPDATE bc_price t
    JOIN bc_version v ON v.tariff_version_id = t.version_on_be
    SET t.tax = ROUND((t.energy + t.fixed + t.discounts) * v.tax_rate_pct / 100, 2),
        t.total = t.energy + t.fixed + t.discounts
                  + ROUND((t.energy + t.fixed + t.discounts) * v.tax_rate_pct / 100, 2);

    INSERT INTO bc_line
    SELECT t.price_key, t.variant, 4000000000, 'tax',
           CONCAT('Tax (', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM v.tax_rate_pct)), '%)'),
           t.version_on_be, NULL, NULL, NULL, t.tax
    FROM bc_price t
    JOIN bc_version v ON v.tariff_version_id = t.version_on_be;
END
