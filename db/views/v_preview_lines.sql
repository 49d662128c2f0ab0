-- v_preview_lines: the lines of the bills of a preview of a run, as v_bill_lines shows a bill's.
--
-- Columns (contract): preview_id, account_id, line_no, kind, description, quantity_kwh, rate,
--   amount; kind is one of energy, fixed, discount, tax (a preview has no rebate or late fee yet).
-- Example: SELECT * FROM v_preview_lines WHERE preview_id = 7 AND account_id = 42 ORDER BY line_no;
CREATE VIEW v_preview_lines AS
SELECT l.preview_id, l.account_id, l.line_no, l.kind, l.description, l.quantity_kwh, l.rate, l.amount
FROM preview_line l
