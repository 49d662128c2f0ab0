-- add_tariff_version: adds a version (prices from a date on) to a tariff, with its blocks.
--
-- A version is in force from effective_from until the day before the next version's
-- effective_from. A version may not start on or before a day already billed on the tariff: the
-- latest period_end of any (not cancelled) bill of an account on the tariff, or of a bill priced
-- by one of its versions.
--
-- Parameters
--   p_tariff_code     the tariff's code
--   p_effective_from  required: the first day the version is in force
--   p_fixed_charge    required: per full billing period, >= 0, at most two decimals
--   p_tax_rate_pct    required: 0..100, at most two decimals
--   p_late_fee_pct    required: 0..100, at most two decimals
--   p_early_pay_pct   required: 0..100, at most two decimals (0: no early-payment rebate)
--   p_early_pay_days  required: 0..366
--   p_blocks          JSON array of blocks, lowest first:
--                     [{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.18}]
--                     up_to_kwh: a number above zero (at most 4 decimals), strictly increasing;
--                     null (or left out) only in the last block, which must be open, so that
--                     every kWh has a rate. rate: a number >= 0 (money per kWh, at most 6
--                     decimals). At most 255 blocks. JSON numbers only: "0.12" is refused.
--                     Read exactly as written (0.12345600000000000001 is refused as more
--                     than 6 decimals on MySQL too, which parses it as a DOUBLE); with an
--                     exponent (1e2): at most 8 characters before the e, exponent >= -4.
--   p_actor           who acts, required
-- Result: one row (tariff_version_id).
-- Errors: 45001 NOT_FOUND (no tariff with that code); 45002 INVALID_ARGUMENT (a missing,
--         negative or out-of-range charge, percentage or day count, no effective_from, no
--         actor); 45003 CONFLICT (the tariff has a version with that effective_from);
--         45030 TARIFF_RETROACTIVE (effective_from on or before a day billed on the tariff);
--         45031 TARIFF_INVALID_BLOCKS (see p_blocks). Checked in that order: arguments
--         (45002, then 45031), then 45001, 45003, 45030.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL add_tariff_version('RES', '2026-01-01', 5.00, 10, 1.5, 2, 10,
--              '[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.18}]',
--              'staff:alice');
CREATE PROCEDURE add_tariff_version(IN p_tariff_code LONGTEXT,
                                    IN p_effective_from LONGTEXT,
                                    IN p_fixed_charge LONGTEXT,
                                    IN p_tax_rate_pct LONGTEXT,
                                    IN p_late_fee_pct LONGTEXT,
                                    IN p_early_pay_pct LONGTEXT,
                                    IN p_early_pay_days LONGTEXT,
                                    IN p_blocks LONGTEXT,
                                    IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_tariff_code VARCHAR(100) DEFAULT _arg_text(p_tariff_code, 'tariff_code', 100);
    DECLARE v_effective_from DATE DEFAULT _arg_date(p_effective_from, 'effective_from');
    DECLARE v_fixed_charge DECIMAL(20,6)
        DEFAULT _arg_decimal(p_fixed_charge, 'fixed_charge', 14, 6, 45002);
    DECLARE v_tax_rate_pct DECIMAL(20,6)
        DEFAULT _arg_decimal(p_tax_rate_pct, 'tax_rate_pct', 14, 6, 45002);
    DECLARE v_late_fee_pct DECIMAL(20,6)
        DEFAULT _arg_decimal(p_late_fee_pct, 'late_fee_pct', 14, 6, 45002);
    DECLARE v_early_pay_pct DECIMAL(20,6)
        DEFAULT _arg_decimal(p_early_pay_pct, 'early_pay_pct', 14, 6, 45002);
    DECLARE v_early_pay_days INT
        DEFAULT _arg_int(p_early_pay_days, 'early_pay_days', -2147483648, 2147483647, 45002);
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_tariff_id INT UNSIGNED;
    DECLARE v_version_id INT UNSIGNED;
    DECLARE v_billed_to DATE;
    DECLARE v_exists INT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF _is_blank(v_tariff_code) THEN
        CALL _fail(45002, 'tariff_code is required');
    END IF;
    IF v_effective_from IS NULL THEN
        CALL _fail(45002, 'effective_from is required');
    END IF;
    IF v_fixed_charge IS NULL OR v_fixed_charge < 0 OR v_fixed_charge >= 10000000000
       OR v_fixed_charge <> ROUND(v_fixed_charge, 2) THEN
        CALL _fail(45002, 'fixed_charge must be zero or more, with at most two decimals');
    END IF;
    IF v_tax_rate_pct IS NULL OR v_tax_rate_pct < 0 OR v_tax_rate_pct > 100
       OR v_tax_rate_pct <> ROUND(v_tax_rate_pct, 2) THEN
        CALL _fail(45002, 'tax_rate_pct must be 0..100 with at most two decimals');
    END IF;
    IF v_late_fee_pct IS NULL OR v_late_fee_pct < 0 OR v_late_fee_pct > 100
       OR v_late_fee_pct <> ROUND(v_late_fee_pct, 2) THEN
        CALL _fail(45002, 'late_fee_pct must be 0..100 with at most two decimals');
    END IF;
    IF v_early_pay_pct IS NULL OR v_early_pay_pct < 0 OR v_early_pay_pct > 100
       OR v_early_pay_pct <> ROUND(v_early_pay_pct, 2) THEN
        CALL _fail(45002, 'early_pay_pct must be 0..100 with at most two decimals');
    END IF;
    IF v_early_pay_days IS NULL OR v_early_pay_days < 0 OR v_early_pay_days > 366 THEN
        CALL _fail(45002, 'early_pay_days must be 0..366');
    END IF;

    -- the blocks (45031), parsed into the temporary table parsed_blocks
    CALL _parse_blocks(p_blocks);

    SET @billing_actor = v_actor;
    START TRANSACTION;
    -- the tariff row first: concurrent adds to one tariff queue up here. Taken before any
    -- consistent read, so the reads below see everything committed before the lock was ours.
    SELECT tariff_id INTO v_tariff_id FROM tariff WHERE code = TRIM(v_tariff_code) FOR UPDATE;
    IF v_tariff_id IS NULL THEN
        CALL _fail(45001, CONCAT('no tariff with code ', LEFT(TRIM(v_tariff_code), 100)));
    END IF;
    SELECT COUNT(*) INTO v_exists FROM tariff_version
     WHERE tariff_id = v_tariff_id AND effective_from = v_effective_from;
    IF v_exists > 0 THEN
        CALL _fail(45003, CONCAT('tariff ', LEFT(TRIM(v_tariff_code), 60), ' has a version from ',
                                 v_effective_from, ' already'));
    END IF;
    SELECT MAX(billed_to) INTO v_billed_to
      FROM (SELECT MAX(b.period_end) AS billed_to
              FROM account a JOIN bill b ON b.account_id = a.account_id
             WHERE a.tariff_id = v_tariff_id AND b.cancelled_at IS NULL
            UNION ALL
            SELECT MAX(b.period_end)
              FROM tariff_version tv JOIN bill b ON b.tariff_version_id = tv.tariff_version_id
             WHERE tv.tariff_id = v_tariff_id AND b.cancelled_at IS NULL) AS billed;
    IF v_effective_from <= v_billed_to THEN
        CALL _fail(45030, CONCAT('effective_from ', v_effective_from, ' is on or before ',
                                 v_billed_to, ', a day already billed on tariff ',
                                 LEFT(TRIM(v_tariff_code), 40)));
    END IF;

    INSERT INTO tariff_version (tariff_id, effective_from, fixed_charge, tax_rate_pct,
                                late_fee_pct, early_pay_pct, early_pay_days)
    VALUES (v_tariff_id, v_effective_from, v_fixed_charge, v_tax_rate_pct,
            v_late_fee_pct, v_early_pay_pct, v_early_pay_days);
    SET v_version_id = LAST_INSERT_ID();
    INSERT INTO tariff_block (tariff_version_id, block_no, up_to_kwh, rate)
    SELECT v_version_id, block_no, up_to_kwh, rate FROM parsed_blocks;
    COMMIT;

    SELECT v_version_id AS tariff_version_id;
END
