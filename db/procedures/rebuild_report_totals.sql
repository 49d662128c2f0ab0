-- rebuild_report_totals: recomputes the reports' kept figures (migrations 0121, 0122) from the
-- rows they sum: report_revenue_part from the bills not cancelled and their lines,
-- report_collections_part from the payments, report_consumption_part from the readings, one
-- folded row per key (every delta gone). For after a bulk load that wrote bills, payments or
-- readings with plain SQL (bench/generate.py), or to mend the figures when v_ledger_integrity
-- reports report_revenue, report_collections or report_consumption rows. Normal work never
-- needs it: every routine that changes the figures appends its delta.
--
-- Run it while nothing posts or bills (it reads the rows as of its start, and a posting
-- committed meanwhile would be counted twice or not at all). It takes the report_fold row, so no
-- fold runs beside it. Reads every bill, line and payment: about a minute at 1M accounts.
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
    SELECT 1, r.month_start, r.tariff_version_id, COUNT(*), SUM(r.consumption_kwh),
           SUM(r.energy), SUM(r.fixed), SUM(r.discount), SUM(r.tax), SUM(r.late_fee),
           SUM(r.rebate), SUM(r.total_amount)
      FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
                   b.tariff_version_id, b.consumption_kwh, b.total_amount, l.energy, l.fixed,
                   l.discount, l.tax, l.late_fee, l.rebate
              FROM bill b
              JOIN (SELECT bill_id,
                           SUM(IF(kind = 'energy', amount, 0)) AS energy,
                           SUM(IF(kind = 'fixed', amount, 0)) AS fixed,
                           SUM(IF(kind = 'discount', amount, 0)) AS discount,
                           SUM(IF(kind = 'tax', amount, 0)) AS tax,
                           SUM(IF(kind = 'late_fee', amount, 0)) AS late_fee,
                           SUM(IF(kind IN ('rebate', 'rebate_revoked'), amount, 0)) AS rebate
                      FROM bill_line GROUP BY bill_id) l ON l.bill_id = b.bill_id
             WHERE b.cancelled_at IS NULL) r
     GROUP BY r.month_start, r.tariff_version_id;
    SET v_revenue = ROW_COUNT();

    DELETE FROM report_collections_part;
    INSERT INTO report_collections_part (folded, day, cashier, method, payments, amount,
                                         reversed_payments, reversed_amount)
    SELECT 1, r.day, r.posted_by, r.method, SUM(r.status = 'posted'),
           SUM(IF(r.status = 'posted', r.amount, 0)), SUM(r.status = 'reversed'),
           SUM(IF(r.status = 'reversed', r.amount, 0))
      FROM (SELECT DATE(paid_at) AS day, posted_by, method, status, amount FROM payment) r
     GROUP BY r.day, r.posted_by, r.method;
    SET v_collections = ROW_COUNT();

    DELETE FROM report_consumption_part;
    INSERT INTO report_consumption_part (folded, month_start, tariff_id, meters, readings,
                                         consumption_kwh, in_review)
    SELECT 1, x.month_start, x.tariff_id, COUNT(DISTINCT x.meter_id), SUM(x.status = 'accepted'),
           SUM(IF(x.status = 'accepted', x.consumption_kwh, 0)), SUM(x.status = 'review')
      FROM (SELECT r.read_on - INTERVAL (DAYOFMONTH(r.read_on) - 1) DAY AS month_start,
                   a.tariff_id, r.meter_id, r.status, r.consumption_kwh
              FROM meter_reading r
              -- the installation on or before the reading (each until the next one)
              JOIN (SELECT meter_id, account_id, installed_on,
                           LEAD(installed_on) OVER (PARTITION BY meter_id
                                                    ORDER BY installed_on) AS next_on
                    FROM meter_installation) w
                ON w.meter_id = r.meter_id AND w.installed_on <= r.read_on
               AND (w.next_on IS NULL OR r.read_on < w.next_on)
              JOIN account a ON a.account_id = w.account_id
             WHERE r.kind = 'actual' AND r.status IN ('accepted', 'review')) x
     GROUP BY x.month_start, x.tariff_id;
    SET v_consumption = ROW_COUNT();

    UPDATE report_fold SET folded_at = NOW(), rows_folded = 0 WHERE fold_id = 1;
    COMMIT;
    SELECT v_revenue AS revenue_rows, v_collections AS collections_rows,
           v_consumption AS consumption_rows;
END
