-- v_bill_lines: the lines of every bill, in order.
--
-- Columns: bill_id, line_no, kind (energy, fixed, discount, tax, rebate, rebate_revoked,
--   late_fee), description, quantity_kwh (energy lines), rate (money per kWh, energy lines),
--   amount (signed: discounts and rebates are negative); tariff_version_id, block_no, created_at.
-- Example: SELECT * FROM v_bill_lines WHERE bill_id = 42 ORDER BY line_no;
CREATE VIEW v_bill_lines AS
SELECT l.bill_id, l.line_no, l.kind, l.description, l.quantity_kwh, l.rate, l.amount,
       l.tariff_version_id, l.block_no, l.created_at
FROM bill_line l
