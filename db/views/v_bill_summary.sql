-- v_bill_summary: one row per bill with its totals by kind of line.
--
-- Columns (contract): bill_id, bill_no, account_id, account_no, period_start, period_end,
--   issue_date, due_date, rebate_date, consumption_kwh, energy_charge, fixed_charge,
--   discount_amount (<= 0), tax_amount, rebate_amount (R offered, >= 0, granted or not),
--   rebate_granted (0/1), late_fee, total_amount (current: after a granted rebate or a late
--   fee), amount_paid, amount_open (= total_amount - amount_paid; 0 for a cancelled bill), status
--   (open, partial, paid, cancelled), estimated (0/1: the end reading was estimated),
--   final (0/1: the bill ends on the account's closed_on), cancelled_at, credit_note_no,
--   replaces_bill_id (the cancelled bill this one bills again), replaced_by_bill_id.
--   Also: customer_id, run_id, days_billed, prev_read_on, prev_read_value, end_read_on,
--   end_read_value, tariff_code, tariff_version_id, cancelled_by, cancel_reason, issued_total
--   (the total as issued, as printed on the bill: before a granted rebate or a late fee).
-- Money columns are sums of the bill's lines of that kind, with their signs.
-- Example: SELECT * FROM v_bill_summary WHERE account_id = 42 ORDER BY period_end DESC;
CREATE VIEW v_bill_summary AS
SELECT b.bill_id, b.bill_no, b.account_id, a.account_no, b.period_start, b.period_end,
       b.issue_date, b.due_date, b.rebate_date, b.consumption_kwh,
       COALESCE((SELECT SUM(l.amount) FROM bill_line l WHERE l.bill_id = b.bill_id AND l.kind = 'energy'), 0)
           AS energy_charge,
       COALESCE((SELECT SUM(l.amount) FROM bill_line l WHERE l.bill_id = b.bill_id AND l.kind = 'fixed'), 0)
           AS fixed_charge,
       COALESCE((SELECT SUM(l.amount) FROM bill_line l WHERE l.bill_id = b.bill_id AND l.kind = 'discount'), 0)
           AS discount_amount,
       COALESCE((SELECT SUM(l.amount) FROM bill_line l WHERE l.bill_id = b.bill_id AND l.kind = 'tax'), 0)
           AS tax_amount,
       b.rebate_amount, b.rebate_granted,
       COALESCE((SELECT SUM(l.amount) FROM bill_line l WHERE l.bill_id = b.bill_id AND l.kind = 'late_fee'), 0)
           AS late_fee,
       b.total_amount, b.amount_paid,
       IF(b.cancelled_at IS NULL, b.total_amount - b.amount_paid, 0.00) AS amount_open,
       CASE WHEN b.cancelled_at IS NOT NULL THEN 'cancelled'
            WHEN b.amount_paid >= b.total_amount THEN 'paid'
            WHEN b.amount_paid = 0 THEN 'open'
            ELSE 'partial' END AS status,
       b.estimated,
       CAST(b.period_end <=> a.closed_on AS UNSIGNED) AS final,
       b.cancelled_at, b.credit_note_no, b.replaces_bill_id,
       (SELECT n.bill_id FROM bill n WHERE n.replaces_bill_id = b.bill_id) AS replaced_by_bill_id,
       a.customer_id, b.run_id, b.days_billed, b.prev_read_on, b.prev_read_value,
       r.read_on AS end_read_on, r.value AS end_read_value, t.code AS tariff_code, b.tariff_version_id,
       b.cancelled_by, b.cancel_reason, b.issued_total
FROM bill b
JOIN account a ON a.account_id = b.account_id
JOIN tariff t ON t.tariff_id = a.tariff_id
JOIN meter_reading r ON r.reading_id = b.end_reading_id
