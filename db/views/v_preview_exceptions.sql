-- v_preview_exceptions: the accounts a preview of a run would not bill, and why (the codes of
-- v_billing_exceptions: UNBILLED_GAP, READ_NEEDS_REVIEW, NO_TARIFF, ESTIMATE_CONFLICT,
-- NEGATIVE_TOTAL).
--
-- Columns (contract): preview_id, account_id, account_no, code, detail. Also: customer_name.
-- Example: SELECT * FROM v_preview_exceptions WHERE preview_id = 7;
CREATE VIEW v_preview_exceptions AS
SELECT e.preview_id, e.account_id, a.account_no, e.code, e.detail, c.full_name AS customer_name
FROM preview_exception e
JOIN account a ON a.account_id = e.account_id
JOIN customer c ON c.customer_id = a.customer_id
