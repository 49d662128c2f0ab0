-- v_bill_comparison: why a bill differs from the previous one (billing-rules.md, "Simulations"),
-- stored when the bill was issued, and the same period last year. One row per bill.
--
-- Columns (contract): bill_id, prev_bill_id, prev_total, prev_consumption_kwh, prev_days,
--   usage_effect, other_effect, last_year_bill_id, last_year_total, last_year_consumption_kwh,
--   last_year_days. Totals are as issued (before rebates and late fees): usage_effect +
--   other_effect = the bill's issued total - prev_total. usage_effect is what using more or less
--   than the previous bill's kWh a day cost; other_effect is the rest (prices, fixed charges,
--   days, discounts, tax).
--   Also: issued_total, consumption_kwh, days_billed (this bill's), total_change
--   (issued_total - prev_total), kwh_per_day, prev_kwh_per_day, last_year_kwh_per_day (one
--   decimal, for the words of the explanation), prev_bill_no, last_year_bill_no,
--   last_year_period_start, last_year_period_end, comparison_available (0 for a bill issued before the comparison was
--   computed at issue, migration 0070: its effects are NULL though it has a previous bill).
-- Example: SELECT * FROM v_bill_comparison WHERE bill_id = 42;
CREATE VIEW v_bill_comparison AS
SELECT b.bill_id, c.prev_bill_id, p.issued_total AS prev_total,
       p.consumption_kwh AS prev_consumption_kwh, p.days_billed AS prev_days,
       c.usage_effect, c.other_effect,
       c.last_year_bill_id, y.issued_total AS last_year_total,
       y.consumption_kwh AS last_year_consumption_kwh, y.days_billed AS last_year_days,
       b.issued_total, b.consumption_kwh, b.days_billed,
       b.issued_total - p.issued_total AS total_change,
       ROUND(b.consumption_kwh / b.days_billed, 1) AS kwh_per_day,
       ROUND(p.consumption_kwh / p.days_billed, 1) AS prev_kwh_per_day,
       ROUND(y.consumption_kwh / y.days_billed, 1) AS last_year_kwh_per_day,
       p.bill_no AS prev_bill_no, y.bill_no AS last_year_bill_no,
       y.period_start AS last_year_period_start, y.period_end AS last_year_period_end,
       (c.prev_bill_id IS NULL OR c.usage_effect IS NOT NULL) AS comparison_available
FROM bill b
LEFT JOIN bill_comparison c ON c.bill_id = b.bill_id
LEFT JOIN bill p ON p.bill_id = c.prev_bill_id
LEFT JOIN bill y ON y.bill_id = c.last_year_bill_id
