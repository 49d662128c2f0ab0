-- v_bill_account_activity: the ledger entries between the previous bill's issue and this bill,
-- listed on a bill's account summary (issue 21; totals and what a bill's issue is in
-- v_bill_account_summary). One row per entry.
--
-- Columns:
--   bill_id       the bill whose summary lists the entry
--   entry_id, entry_date, entry_type (payment, payment_reversal, late_fee, rebate,
--                 rebate_revoked, bill_cancel, refund), amount (debits positive, credits
--                 negative)
--   payment_id, receipt_no, method   for payments and their reversals
--   about_bill_id, about_bill_no, credit_note_no   the bill a late fee, rebate or cancel concerns
--   refund_id
-- Example: SELECT * FROM v_bill_account_activity WHERE bill_id = 42 ORDER BY entry_id;
CREATE VIEW v_bill_account_activity AS
SELECT b.bill_id, l.entry_id, l.entry_date, l.entry_type, l.amount,
       l.payment_id, IF(p.payment_id IS NULL, NULL, receipt_no(p.payment_id, p.posted_at)) AS receipt_no,
       p.method, l.bill_id AS about_bill_id, ob.bill_no AS about_bill_no, ob.credit_note_no,
       l.refund_id
FROM bill b
JOIN ledger_entry e ON e.bill_id = b.bill_id AND e.entry_type = 'bill'
-- the previous bill's entry; the window starts after its issue (its rebates at issue belong to
-- it: v_bill_account_summary)
LEFT JOIN ledger_entry pe ON pe.entry_id = (SELECT MAX(x.entry_id) FROM ledger_entry x
                                             WHERE x.account_id = b.account_id AND x.entry_type = 'bill'
                                               AND x.entry_id < e.entry_id)
JOIN ledger_entry l ON l.account_id = b.account_id AND l.entry_id < e.entry_id
     AND l.entry_id > COALESCE(pe.entry_id, 0)
     AND NOT (l.entry_type = 'rebate' AND l.bill_id = pe.bill_id
              AND l.entry_id < (SELECT MIN(x.entry_id) FROM ledger_entry x
                                 WHERE x.account_id = b.account_id AND x.entry_id > pe.entry_id
                                   AND NOT (x.entry_type = 'rebate' AND x.bill_id = pe.bill_id)))
LEFT JOIN payment p ON p.payment_id = l.payment_id
LEFT JOIN bill ob ON ob.bill_id = l.bill_id
