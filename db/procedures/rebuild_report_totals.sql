-- rebuild_report_totals: recomputes the reports' kept figures (migrations 0121, 0122) from the
-- rows they sum (v_report_revenue_recount, v_report_collections_recount,
-- v_report_consumption_recount): one folded row per key in report_revenue_part,
-- report_collections_part and report_consumption_part, every delta gone. For after a bulk load that wrote bills, payments or
-- readings with plain SQL (bench/generate.py), or to mend the figures when v_ledger_integrity
-- reports report_revenue, report_collections or report_consumption rows. Normal work never
-- needs it: every routine that changes the figures appends its delta.
--
-- Run it while nothing posts or bills (it reads the rows as of its start, and a posting
-- committed meanwhile would be counted twice or not at all). It takes the report_fold row, so no
-- fold runs beside it. Reads every bill, line, payment and reading: about a minute at 1M accounts.
--
-- Parameters: none. It commits a transaction the caller has open.
-- Result (one row): revenue_rows, collections_rows, consumption_rows (the folded rows written).
-- Errors: none of its own; a server error rolls everything back and propagates.
-- Example: CALL rebuild_report_totals();
CREATE PROCEDURE rebuild_report_totals()
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_locked INT;
    DECLARE v_revenue INT;
    DECLARE v_collections INT;
    DECLARE v_consumption INT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    COMMIT;
    START TRANSACTION;
    INSERT INTO report_fold (fold_id) VALUES (1) ON DUPLICATE KEY UPDATE fold_id = fold_id;
    SELECT COUNT(*) INTO v_locked FROM report_fold WHERE fold_id = 1 FOR UPDATE;

    DELETE FROM report_revenue_part;
    INSERT INTO report_revenue_part (folded, month_start, tariff_version_id, bills,
                                     consumption_kwh, energy_charge, fixed_charge,
                                     discount_amount, tax_amount, late_fee, rebate_amount,
                                     total_billed)
    SELECT 1, month_start, tariff_version_id, bills, consumption_kwh, energy_charge,
           fixed_charge, discount_amount, tax_amount, late_fee, rebate_amount, total_billed
      FROM v_report_revenue_recount;
    SET v_revenue = ROW_COUNT();

    DELETE FROM report_collections_part;
    INSERT INTO report_collections_part (folded, day, cashier, method, payments, amount,
                                         reversed_payments, reversed_amount)
    SELECT 1, day, cashier, method, payments, amount, reversed_payments, reversed_amount
      FROM v_report_collections_recount;
    SET v_collections = ROW_COUNT();

    DELETE FROM report_consumption_part;
    INSERT INTO report_consumption_part (folded, month_start, tariff_id, meters, readings,
                                         consumption_kwh, in_review)
    SELECT 1, month_start, tariff_id, meters, readings, consumption_kwh, in_review
      FROM v_report_consumption_recount;
    SET v_consumption = ROW_COUNT();

    UPDATE report_fold SET folded_at = NOW() WHERE fold_id = 1;
    COMMIT;
    SELECT v_revenue AS revenue_rows, v_collections AS collections_rows,
           v_consumption AS consumption_rows;
END
