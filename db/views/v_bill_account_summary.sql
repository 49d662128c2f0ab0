-- v_bill_account_summary: the account summary printed on a bill (issue 21): what happened on the
-- account between the previous bill and this one, from the ledger. One row per bill.
--
-- A bill's issue is its 'bill' entry and the rebates the account's credit earned it at issue
-- (billing-rules.md, Bill totals: credit is applied at issue by the payment rules): 'rebate'
-- entries of this bill that follow its 'bill' entry before any other entry of the account.
-- The window is the account's ledger entries after the previous bill's issue (the account's
-- latest 'bill' entry before this bill's, whatever that bill's status now, and its rebates at
-- issue) and before this bill's own entry. Amounts carry the ledger's signs: debits positive,
-- credits negative.
-- Columns:
--   bill_id, account_id
--   prev_bill_id       the bill of the previous 'bill' entry (NULL for the account's first bill)
--   previous_balance   the account's balance right after the previous bill's issue (0 first)
--   payments           payments received in the window (negative)
--   adjustments        everything else in the window: late fees, rebates earned or revoked,
--                      reversed payments, cancelled bills (credit notes), refunds
--   new_charges        this bill's total as issued
--   rebate_at_issue    the rebate the account's credit earned this bill at issue (negative; 0
--                      when none)
--   balance_after      the account's balance right after this bill's issue
--                      (= previous_balance + payments + adjustments + new_charges
--                         + rebate_at_issue)
-- The entries themselves (dates, receipts, credit notes): v_bill_account_activity.
-- Example: SELECT * FROM v_bill_account_summary WHERE bill_id = 42;
CREATE VIEW v_bill_account_summary AS
SELECT b.bill_id, b.account_id, pe.bill_id AS prev_bill_id,
       CAST(COALESCE((SELECT SUM(l.amount) FROM ledger_entry l
                       WHERE l.account_id = b.account_id
                         AND l.entry_id < (SELECT COALESCE(MIN(x.entry_id), 0) FROM ledger_entry x
                                            WHERE x.account_id = b.account_id AND x.entry_id > pe.entry_id
                                              AND NOT (x.entry_type = 'rebate' AND x.bill_id = pe.bill_id))),
                     0) AS DECIMAL(12,2)) AS previous_balance,    -- 0 without a previous bill
       CAST(COALESCE((SELECT SUM(l.amount) FROM ledger_entry l
                       WHERE l.account_id = b.account_id AND l.entry_type = 'payment'
                         AND l.entry_id < e.entry_id
                         AND l.entry_id > COALESCE(pe.entry_id, 0)), 0) AS DECIMAL(12,2))
           AS payments,
       -- after the previous bill's issue: its rebates at issue are in previous_balance
       CAST(COALESCE((SELECT SUM(l.amount) FROM ledger_entry l
                       WHERE l.account_id = b.account_id AND l.entry_type NOT IN ('payment', 'bill')
                         AND l.entry_id < e.entry_id
                         AND l.entry_id >= COALESCE((SELECT MIN(x.entry_id) FROM ledger_entry x
                                                      WHERE x.account_id = b.account_id AND x.entry_id > pe.entry_id
                                                        AND NOT (x.entry_type = 'rebate' AND x.bill_id = pe.bill_id)), 0)),
                     0) AS DECIMAL(12,2)) AS adjustments,
       e.amount AS new_charges,
       CAST(COALESCE((SELECT SUM(l.amount) FROM ledger_entry l
                       WHERE l.account_id = b.account_id AND l.entry_type = 'rebate'
                         AND l.bill_id = b.bill_id AND l.entry_id > e.entry_id
                         AND l.entry_id < COALESCE((SELECT MIN(x.entry_id) FROM ledger_entry x
                                                     WHERE x.account_id = b.account_id AND x.entry_id > e.entry_id
                                                       AND NOT (x.entry_type = 'rebate' AND x.bill_id = b.bill_id)),
                                                   18446744073709551615)), 0) AS DECIMAL(12,2))
           AS rebate_at_issue,
       CAST((SELECT SUM(l.amount) FROM ledger_entry l
              WHERE l.account_id = b.account_id
                AND l.entry_id < COALESCE((SELECT MIN(x.entry_id) FROM ledger_entry x
                                            WHERE x.account_id = b.account_id AND x.entry_id > e.entry_id
                                              AND NOT (x.entry_type = 'rebate' AND x.bill_id = b.bill_id)),
                                          18446744073709551615)) AS DECIMAL(12,2))
           AS balance_after
FROM bill b
JOIN ledger_entry e ON e.bill_id = b.bill_id AND e.entry_type = 'bill'
-- the previous bill's entry
LEFT JOIN ledger_entry pe ON pe.entry_id = (SELECT MAX(p.entry_id) FROM ledger_entry p
                                             WHERE p.account_id = b.account_id AND p.entry_type = 'bill'
                                               AND p.entry_id < e.entry_id)
