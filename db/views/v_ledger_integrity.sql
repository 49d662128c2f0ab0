-- v_ledger_integrity: one row per broken invariant of the billing rules; empty when all is well.
--
-- Columns: check_name, account_id, bill_id, payment_id, detail.
-- Checks (cancelled bills are left out of the money checks, and have their own):
--   balance            account balance (sum of its ledger) = sum over bills that are not
--                      cancelled of (total - paid) minus the unallocated credit of its posted
--                      payments (amount - allocated - refunded)
--   bill_paid          a bill's amount_paid = the sum of its allocations
--   bill_cancelled     a cancelled bill has nothing paid, its who/why and credit note, and its
--                      ledger rows (bill, late fee, rebates, the bill_cancel credit) sum to 0
--   credit_note_gap    credit-note numbers of each year run 1..n without a gap
--   bill_range         0 <= amount_paid <= total_amount
--   bill_lines         a bill's total_amount = the sum of its lines
--   bill_ledger        a bill's total_amount = the sum of its ledger rows (bill, late fee,
--                      rebate, revoked rebate)
--   allocation_sign    for each payment and bill, the allocations sum to zero or more
--   payment_allocated  a payment's allocations plus its refunds sum to at most its amount,
--                      the allocations to the amount_allocated it carries (0 once reversed)
--   payment_refunded   a payment's refund parts sum to the amount_refunded it carries; a
--                      payment with refunded money is not reversed
--   refund             a refund's parts sum to its amount, and its ledger row debits it once
--   payment_ledger     a payment's ledger rows sum to -amount (posted) or 0 (reversed)
--   bill_no_gap        bill numbers of each issue year run 1..n without a gap
--   report_revenue     the revenue report's kept figures (report_revenue_part, migration 0121)
--                      = v_report_revenue_recount (the bills not cancelled and their lines), per
--                      month and tariff version (a writer that forgot its delta;
--                      rebuild_report_totals mends them)
--   report_collections the collections report's kept figures = v_report_collections_recount
--                      (the payments), per day, cashier and method
--   report_consumption the consumption report's kept figures (report_consumption_part,
--                      migration 0122) = v_report_consumption_recount (the actual readings
--                      accepted or in review), per month and tariff
--   payment_batch      a payment batch's kept figures (payment_batch.line_count ...
--                      no_key_count, migration 0129) = v_staff_payment_batch_recount (its lines)
-- Example: SELECT check_name, COUNT(*) FROM v_ledger_integrity GROUP BY check_name;
CREATE VIEW v_ledger_integrity AS
SELECT 'balance' AS check_name, a.account_id, CAST(NULL AS UNSIGNED) AS bill_id,
       CAST(NULL AS UNSIGNED) AS payment_id,
       CONCAT('balance ', COALESCE(l.total, 0), ' <> open bills ', COALESCE(bo.open_amt, 0),
              ' - credit ', COALESCE(pc.credit, 0)) AS detail
FROM account a
LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entry GROUP BY account_id) l
       ON l.account_id = a.account_id
LEFT JOIN (SELECT account_id, SUM(total_amount - amount_paid) AS open_amt FROM bill
           WHERE cancelled_at IS NULL GROUP BY account_id) bo ON bo.account_id = a.account_id
LEFT JOIN (SELECT account_id, SUM(amount - amount_allocated - amount_refunded) AS credit FROM payment
           WHERE status = 'posted' GROUP BY account_id) pc ON pc.account_id = a.account_id
WHERE COALESCE(l.total, 0) <> COALESCE(bo.open_amt, 0) - COALESCE(pc.credit, 0)
UNION ALL
SELECT 'bill_paid', b.account_id, b.bill_id, NULL,
       CONCAT('amount_paid ', b.amount_paid, ' <> allocations ', COALESCE(al.total, 0))
FROM bill b
LEFT JOIN (SELECT bill_id, SUM(amount) AS total FROM payment_allocation GROUP BY bill_id) al
       ON al.bill_id = b.bill_id
WHERE b.amount_paid <> COALESCE(al.total, 0)
UNION ALL
SELECT 'bill_cancelled', b.account_id, b.bill_id, NULL,
       CONCAT('cancelled bill: amount_paid ', b.amount_paid, ', ledger ', COALESCE(lg.total, 0),
              ', credit note ', COALESCE(b.credit_note_no, 'none'))
FROM bill b
LEFT JOIN (SELECT bill_id, SUM(amount) AS total FROM ledger_entry
           WHERE bill_id IS NOT NULL GROUP BY bill_id) lg ON lg.bill_id = b.bill_id
WHERE b.cancelled_at IS NOT NULL
  AND (b.amount_paid <> 0 OR COALESCE(lg.total, 0) <> 0 OR b.credit_note_no IS NULL
       OR b.cancelled_by IS NULL OR b.cancel_reason IS NULL)
UNION ALL
SELECT 'bill_range', b.account_id, b.bill_id, NULL,
       CONCAT('amount_paid ', b.amount_paid, ' outside 0..', b.total_amount)
FROM bill b
WHERE b.amount_paid < 0 OR b.amount_paid > b.total_amount
UNION ALL
SELECT 'bill_lines', b.account_id, b.bill_id, NULL,
       CONCAT('total_amount ', b.total_amount, ' <> lines ', COALESCE(ln.total, 0))
FROM bill b
LEFT JOIN (SELECT bill_id, SUM(amount) AS total FROM bill_line GROUP BY bill_id) ln
       ON ln.bill_id = b.bill_id
WHERE b.cancelled_at IS NULL AND b.total_amount <> COALESCE(ln.total, 0)
UNION ALL
SELECT 'bill_ledger', b.account_id, b.bill_id, NULL,
       CONCAT('total_amount ', b.total_amount, ' <> ledger ', COALESCE(lg.total, 0))
FROM bill b
LEFT JOIN (SELECT bill_id, SUM(amount) AS total FROM ledger_entry
           WHERE bill_id IS NOT NULL GROUP BY bill_id) lg ON lg.bill_id = b.bill_id
WHERE b.cancelled_at IS NULL AND b.total_amount <> COALESCE(lg.total, 0)
UNION ALL
SELECT 'allocation_sign', b.account_id, x.bill_id, x.payment_id,
       CONCAT('allocations of the payment to the bill sum to ', x.total)
FROM (SELECT payment_id, bill_id, SUM(amount) AS total FROM payment_allocation
      GROUP BY payment_id, bill_id HAVING SUM(amount) < 0) x
JOIN bill b ON b.bill_id = x.bill_id
UNION ALL
SELECT 'payment_allocated', p.account_id, NULL, p.payment_id,
       CONCAT('allocations ', COALESCE(al.total, 0), ', amount ', p.amount,
              ', amount_allocated ', p.amount_allocated, ', status ', p.status)
FROM payment p
LEFT JOIN (SELECT payment_id, SUM(amount) AS total FROM payment_allocation GROUP BY payment_id) al
       ON al.payment_id = p.payment_id
WHERE COALESCE(al.total, 0) + p.amount_refunded > p.amount
   OR COALESCE(al.total, 0) <> p.amount_allocated
   OR (p.status = 'reversed' AND COALESCE(al.total, 0) <> 0)
UNION ALL
SELECT 'payment_refunded', p.account_id, NULL, p.payment_id,
       CONCAT('refund parts ', COALESCE(rp.total, 0), ', amount_refunded ', p.amount_refunded,
              ', status ', p.status)
FROM payment p
LEFT JOIN (SELECT payment_id, SUM(amount) AS total FROM refund_part GROUP BY payment_id) rp
       ON rp.payment_id = p.payment_id
WHERE COALESCE(rp.total, 0) <> p.amount_refunded
   OR (p.status = 'reversed' AND p.amount_refunded <> 0)
UNION ALL
SELECT 'refund', r.account_id, NULL, NULL,
       CONCAT('refund ', r.refund_id, ' of ', r.amount, ': parts ', COALESCE(rp.total, 0),
              ', ledger ', COALESCE(lg.total, 0))
FROM refund r
LEFT JOIN (SELECT refund_id, SUM(amount) AS total FROM refund_part GROUP BY refund_id) rp
       ON rp.refund_id = r.refund_id
LEFT JOIN (SELECT refund_id, SUM(amount) AS total FROM ledger_entry
           WHERE refund_id IS NOT NULL GROUP BY refund_id) lg ON lg.refund_id = r.refund_id
WHERE COALESCE(rp.total, 0) <> r.amount OR COALESCE(lg.total, 0) <> r.amount
UNION ALL
SELECT 'payment_ledger', p.account_id, NULL, p.payment_id,
       CONCAT('ledger ', COALESCE(lg.total, 0), ' for a ', p.status, ' payment of ', p.amount)
FROM payment p
LEFT JOIN (SELECT payment_id, SUM(amount) AS total FROM ledger_entry
           WHERE payment_id IS NOT NULL GROUP BY payment_id) lg ON lg.payment_id = p.payment_id
WHERE COALESCE(lg.total, 0) <> IF(p.status = 'reversed', 0, -p.amount)
UNION ALL
SELECT 'bill_no_gap', NULL, NULL, NULL,
       CONCAT(g.yr, ': ', g.n, ' bills, highest number ', g.top)
FROM (SELECT YEAR(issue_date) AS yr, COUNT(*) AS n,
             MAX(CAST(SUBSTRING(bill_no, 6) AS UNSIGNED)) AS top
      FROM bill GROUP BY YEAR(issue_date)) g
WHERE g.n <> g.top
UNION ALL
SELECT 'credit_note_gap', NULL, NULL, NULL,
       CONCAT(g.yr, ': ', g.n, ' credit notes, highest number ', g.top)
FROM (SELECT SUBSTRING(credit_note_no, 4, 4) AS yr, COUNT(*) AS n,
             MAX(CAST(SUBSTRING(credit_note_no, 9) AS UNSIGNED)) AS top
      FROM bill WHERE credit_note_no IS NOT NULL GROUP BY SUBSTRING(credit_note_no, 4, 4)) g
WHERE g.n <> g.top
UNION ALL
SELECT 'report_revenue', NULL, NULL, NULL,
       CONCAT(DATE_FORMAT(x.month_start, '%Y-%m'), ' version ', x.tariff_version_id,
              ': bills ', x.bills, ', kWh ', x.consumption_kwh, ', energy ', x.energy_charge,
              ', fixed ', x.fixed_charge, ', discount ', x.discount_amount, ', tax ', x.tax_amount,
              ', late fee ', x.late_fee, ', rebate ', x.rebate_amount, ', total ', x.total_billed,
              ' more in the bills than in the kept figures')
FROM (SELECT u.month_start, u.tariff_version_id, SUM(u.bills) AS bills,
             SUM(u.consumption_kwh) AS consumption_kwh, SUM(u.energy_charge) AS energy_charge,
             SUM(u.fixed_charge) AS fixed_charge, SUM(u.discount_amount) AS discount_amount,
             SUM(u.tax_amount) AS tax_amount, SUM(u.late_fee) AS late_fee,
             SUM(u.rebate_amount) AS rebate_amount, SUM(u.total_billed) AS total_billed
      FROM (SELECT month_start, tariff_version_id, bills, consumption_kwh, energy_charge,
                   fixed_charge, discount_amount, tax_amount, late_fee, rebate_amount,
                   total_billed
            FROM v_report_revenue_recount
            UNION ALL
            SELECT month_start, tariff_version_id, -bills, -consumption_kwh, -energy_charge,
                   -fixed_charge, -discount_amount, -tax_amount, -late_fee, -rebate_amount,
                   -total_billed
            FROM report_revenue_part) u
      GROUP BY u.month_start, u.tariff_version_id) x
WHERE x.bills <> 0 OR x.consumption_kwh <> 0 OR x.energy_charge <> 0 OR x.fixed_charge <> 0
   OR x.discount_amount <> 0 OR x.tax_amount <> 0 OR x.late_fee <> 0 OR x.rebate_amount <> 0
   OR x.total_billed <> 0
UNION ALL
SELECT 'report_collections', NULL, NULL, NULL,
       CONCAT(x.day, ' ', x.cashier, ' ', x.method, ': payments ', x.payments, ', amount ',
              x.amount, ', reversed ', x.reversed_payments, ', reversed amount ',
              x.reversed_amount, ' more in the payments than in the kept figures')
FROM (SELECT u.day, u.cashier, u.method, SUM(u.payments) AS payments, SUM(u.amount) AS amount,
             SUM(u.reversed_payments) AS reversed_payments,
             SUM(u.reversed_amount) AS reversed_amount
      FROM (SELECT day, cashier, method, payments, amount, reversed_payments, reversed_amount
            FROM v_report_collections_recount
            UNION ALL
            SELECT day, cashier, method, -payments, -amount, -reversed_payments, -reversed_amount
            FROM report_collections_part) u
      GROUP BY u.day, u.cashier, u.method) x
WHERE x.payments <> 0 OR x.amount <> 0 OR x.reversed_payments <> 0 OR x.reversed_amount <> 0
UNION ALL
SELECT 'report_consumption', NULL, NULL, NULL,
       CONCAT(DATE_FORMAT(x.month_start, '%Y-%m'), ' tariff ', x.tariff_id, ': meters ',
              x.meters, ', readings ', x.readings, ', kWh ', x.consumption_kwh, ', in review ',
              x.in_review, ' more in the readings than in the kept figures')
FROM (SELECT u.month_start, u.tariff_id, SUM(u.meters) AS meters, SUM(u.readings) AS readings,
             SUM(u.consumption_kwh) AS consumption_kwh, SUM(u.in_review) AS in_review
      FROM (SELECT month_start, tariff_id, meters, readings, consumption_kwh, in_review
            FROM v_report_consumption_recount
            UNION ALL
            SELECT month_start, tariff_id, -meters, -readings, -consumption_kwh, -in_review
            FROM report_consumption_part) u
      GROUP BY u.month_start, u.tariff_id) x
WHERE x.meters <> 0 OR x.readings <> 0 OR x.consumption_kwh <> 0 OR x.in_review <> 0
UNION ALL
SELECT 'payment_batch', NULL, NULL, NULL,
       CONCAT('batch ', b.batch_id, ' keeps lines ', b.line_count, ', pending ', b.pending_count,
              ', posted ', b.posted_count, ', replayed ', b.replayed_count, ', refused ',
              b.refused_count, ', amount ', b.amount_total, ', posted ', b.amount_posted,
              ', bad amounts ', b.bad_amount_count, ', no key ', b.no_key_count,
              '; its lines say ', r.`lines`, ', ', r.pending, ', ', r.posted, ', ', r.replayed,
              ', ', r.refused, ', ', r.amount_total, ', ', r.amount_posted, ', ',
              r.bad_amount_lines, ', ', r.no_key_lines)
FROM payment_batch b
JOIN v_staff_payment_batch_recount r ON r.batch_id = b.batch_id
WHERE b.line_count <> r.`lines` OR b.pending_count <> r.pending OR b.posted_count <> r.posted
   OR b.replayed_count <> r.replayed OR b.refused_count <> r.refused
   OR b.amount_total <> r.amount_total OR b.amount_posted <> r.amount_posted
   OR b.bad_amount_count <> r.bad_amount_lines OR b.no_key_count <> r.no_key_lines
