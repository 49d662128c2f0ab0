-- v_staff_late_fee: every late fee charged (apply_late_fees), one row per ledger debit, for the
-- back office's "late fees charged" page. Not contract.
--
-- Columns: entry_id (the ledger entry, increasing), entry_date (the as_of of the call),
--   posted_at, actor, fee, bill_id, bill_no, account_id, account_no, customer_name.
-- Example: SELECT * FROM v_staff_late_fee WHERE entry_date = CURRENT_DATE ORDER BY entry_id;
CREATE VIEW v_staff_late_fee AS
SELECT l.entry_id, l.entry_date, l.posted_at, l.actor, l.amount AS fee, b.bill_id, b.bill_no,
       b.account_id, a.account_no, c.full_name AS customer_name
FROM ledger_entry l
JOIN bill b ON b.bill_id = l.bill_id
JOIN account a ON a.account_id = b.account_id
JOIN customer c ON c.customer_id = a.customer_id
WHERE l.entry_type = 'late_fee'
