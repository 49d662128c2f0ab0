-- v_bill_account_summary: the account summary printed on a bill (issue 21): what happened on the
-- account between the previous bill and this one, from the ledger. One row per bill.
--
-- The window is the account's ledger entries after the previous bill's entry (the account's
-- latest 'bill' entry before this bill's, whatever that bill's status now) and before this
-- bill's own entry. Amounts carry the ledger's signs: debits positive, credits negative.
-- Columns:
--   bill_id, account_id
--   prev_bill_id       the bill of the previous 'bill' entry (NULL for the account's first bill)
--   previous_balance   the account's balance right after the previous bill was issued (0 first)
--   payments           payments received in the window (negative)
--   adjustments        everything else in the window: late fees, rebates earned or revoked,
--                      reversed payments, cancelled bills (credit notes), refunds
--   new_charges        this bill's total as issued
--   balance_after      the account's balance right after this bill was issued
--                      (= previous_balance + payments + adjustments + new_charges)
-- The entries themselves (dates, receipts, credit notes): v_bill_account_activity.
-- Example: SELECT * FROM v_bill_account_summary WHERE bill_id = 42;
CREATE VIEW v_bill_account_summary AS
SELECT b.bill_id, b.account_id,
       (SELECT p.bill_id FROM ledger_entry p
         WHERE p.account_id = b.account_id AND p.entry_type = 'bill' AND p.entry_id < e.entry_id
         ORDER BY p.entry_id DESC LIMIT 1) AS prev_bill_id,
       CAST(COALESCE((SELECT SUM(l.amount) FROM ledger_entry l
                       WHERE l.account_id = b.account_id
                         AND l.entry_id <= (SELECT MAX(p.entry_id) FROM ledger_entry p
                                             WHERE p.account_id = b.account_id AND p.entry_type = 'bill'
                                               AND p.entry_id < e.entry_id)), 0) AS DECIMAL(12,2))
           AS previous_balance,
       CAST(COALESCE((SELECT SUM(l.amount) FROM ledger_entry l
                       WHERE l.account_id = b.account_id AND l.entry_type = 'payment'
                         AND l.entry_id < e.entry_id
                         AND l.entry_id > COALESCE((SELECT MAX(p.entry_id) FROM ledger_entry p
                                                     WHERE p.account_id = b.account_id AND p.entry_type = 'bill'
                                                       AND p.entry_id < e.entry_id), 0)), 0) AS DECIMAL(12,2))
           AS payments,
       CAST(COALESCE((SELECT SUM(l.amount) FROM ledger_entry l
                       WHERE l.account_id = b.account_id AND l.entry_type NOT IN ('payment', 'bill')
                         AND l.entry_id < e.entry_id
                         AND l.entry_id > COALESCE((SELECT MAX(p.entry_id) FROM ledger_entry p
                                                     WHERE p.account_id = b.account_id AND p.entry_type = 'bill'
                                                       AND p.entry_id < e.entry_id), 0)), 0) AS DECIMAL(12,2))
           AS adjustments,
       e.amount AS new_charges,
       CAST((SELECT SUM(l.amount) FROM ledger_entry l
              WHERE l.account_id = b.account_id AND l.entry_id <= e.entry_id) AS DECIMAL(12,2))
           AS balance_after
FROM bill b
JOIN ledger_entry e ON e.bill_id = b.bill_id AND e.entry_type = 'bill'
