-- v_preview_bills: the bills of a preview of a run (preview_billing), with the previous bill
-- beside each and its flag.
--
-- Columns (contract): preview_id, account_id, account_no, period_start, period_end,
--   consumption_kwh, total_amount, estimated, final, prev_total, prev_consumption_kwh, flag
--   (HIGH, LOW, ZERO or NULL; billing-rules.md, "Simulations"); prev_total is the previous
--   bill's total as issued (before rebates and late fees).
--   Also: customer_name, days_billed, due_date, energy_charge, fixed_charge, discount_amount,
--   tax_amount, rebate_amount, rebate_date, prev_bill_id, prev_bill_no, prev_days,
--   usage_effect, other_effect (why it differs from the previous bill: they add up to
--   total_amount - prev_total), last_year_bill_id, last_year_bill_no, last_year_total,
--   replaces_bill_id.
-- Example: SELECT * FROM v_preview_bills WHERE preview_id = 7 AND flag IS NOT NULL;
CREATE VIEW v_preview_bills AS
SELECT b.preview_id, b.account_id, a.account_no, b.period_start, b.period_end, b.consumption_kwh,
       b.total_amount, b.estimated, b.final, p.issued_total AS prev_total,
       p.consumption_kwh AS prev_consumption_kwh, b.flag,
       c.full_name AS customer_name, b.days_billed, b.due_date, b.energy_charge, b.fixed_charge,
       b.discount_amount, b.tax_amount, b.rebate_amount, b.rebate_date,
       b.prev_bill_id, p.bill_no AS prev_bill_no, p.days_billed AS prev_days,
       b.usage_effect, b.other_effect,
       b.last_year_bill_id, y.bill_no AS last_year_bill_no, y.issued_total AS last_year_total,
       b.replaces_bill_id
FROM preview_bill b
JOIN account a ON a.account_id = b.account_id
JOIN customer c ON c.customer_id = a.customer_id
LEFT JOIN bill p ON p.bill_id = b.prev_bill_id
LEFT JOIN bill y ON y.bill_id = b.last_year_bill_id
