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
--   p_actor           who acts, required
-- Result: one row (tariff_version_id).
-- Errors: 45001 NOT_FOUND (no tariff with that code); 45002 INVALID_ARGUMENT (a missing,
--         negative or out-of-range charge, percentage or day count, no effective_from, no
--         actor); 45003 CONFLICT (the tariff has a version with that effective_from);
--         45030 TARIFF_RETROACTIVE (effective_from on or before a day billed on the tariff);
--         45031 TARIFF_INVALID_BLOCKS (see p_blocks). Checked in that order: arguments
--         (45002, then 45031), then 45001, 45003, 45030.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _add_tariff_version: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
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
    CALL _add_tariff_version(_arg_text(p_tariff_code, 'tariff_code', 100),
                             _arg_date(p_effective_from, 'effective_from'),
                             _arg_decimal(p_fixed_charge, 'fixed_charge', 14, 6, 45002),
                             _arg_decimal(p_tax_rate_pct, 'tax_rate_pct', 14, 6, 45002),
                             _arg_decimal(p_late_fee_pct, 'late_fee_pct', 14, 6, 45002),
                             _arg_decimal(p_early_pay_pct, 'early_pay_pct', 14, 6, 45002),
                             _arg_int(p_early_pay_days, 'early_pay_days', -2147483648, 2147483647, 45002),
                             p_blocks,
                             _arg_text(p_actor, 'actor', 255));
END
