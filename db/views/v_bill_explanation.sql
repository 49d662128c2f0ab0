-- v_bill_explanation: the numbers of the "why this bill differs" sentence of a bill (the
-- customer's bill page, its print and PDF, the staff bill page), from v_bill_comparison: each
-- amount with its sign apart, so that the web layer only chooses the words (more / less) and
-- never computes. Not contract.
--
-- Columns: bill_id, period_start, period_end, prev_bill_id, prev_bill_no, prev_period_start,
--   prev_period_end, comparison_available (0: an old bill with a previous bill but no effects),
--   total_change, change_sign (-1, 0, 1), change_abs, usage_effect, usage_sign, usage_abs,
--   other_effect, other_sign, other_abs, kwh_per_day, prev_kwh_per_day, kwh_per_day_sign (of
--   kwh_per_day - prev_kwh_per_day, both one decimal), kwh_per_day_change (its absolute value),
--   last_year_bill_id, last_year_bill_no, last_year_period_start, last_year_period_end,
--   last_year_total, last_year_consumption_kwh, last_year_kwh_per_day; new_price_from (the
--   latest tariff version of the bill's tariff that came into force after the previous bill
--   started and by this bill's end: "the new tariff from ..."; NULL when the prices did not
--   change). Totals are as issued.
-- Example: SELECT * FROM v_bill_explanation WHERE bill_id = 42;
CREATE VIEW v_bill_explanation AS
SELECT c.bill_id, b.period_start, b.period_end,
       c.prev_bill_id, c.prev_bill_no, p.period_start AS prev_period_start,
       p.period_end AS prev_period_end, c.comparison_available,
       c.total_change, SIGN(c.total_change) AS change_sign, ABS(c.total_change) AS change_abs,
       c.usage_effect, SIGN(c.usage_effect) AS usage_sign, ABS(c.usage_effect) AS usage_abs,
       c.other_effect, SIGN(c.other_effect) AS other_sign, ABS(c.other_effect) AS other_abs,
       c.kwh_per_day, c.prev_kwh_per_day,
       SIGN(c.kwh_per_day - c.prev_kwh_per_day) AS kwh_per_day_sign,
       ABS(c.kwh_per_day - c.prev_kwh_per_day) AS kwh_per_day_change,
       c.last_year_bill_id, c.last_year_bill_no, c.last_year_period_start,
       c.last_year_period_end, c.last_year_total, c.last_year_consumption_kwh,
       c.last_year_kwh_per_day,
       (SELECT MAX(n.effective_from) FROM tariff_version v
          JOIN tariff_version n ON n.tariff_id = v.tariff_id
         WHERE v.tariff_version_id = b.tariff_version_id
           AND n.effective_from > p.period_start AND n.effective_from <= b.period_end)
           AS new_price_from
FROM v_bill_comparison c
JOIN bill b ON b.bill_id = c.bill_id
LEFT JOIN bill p ON p.bill_id = c.prev_bill_id
