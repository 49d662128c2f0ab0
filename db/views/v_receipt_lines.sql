-- v_receipt_lines: the bills a payment paid at its posting, one row per bill (issue 21,
-- "Receipts"; not contract). Only the allocation rows written by the posting itself
-- (payment_posting.last_allocation_id, see v_receipt): later allocations of the payment's
-- credit to new bills are not on its receipt.
-- Columns: payment_id, bill_id, bill_no, period_start, period_end, due_date,
--   applied        money of the payment put on the bill at posting
--   rebate_earned  the early-payment rebate the posting granted on that bill (0 when none)
-- Example: SELECT bill_no, applied, rebate_earned FROM v_receipt_lines WHERE payment_id = 42;
CREATE VIEW v_receipt_lines AS
SELECT al.payment_id,
       b.bill_id,
       b.bill_no,
       b.period_start,
       b.period_end,
       b.due_date,
       CAST(SUM(al.amount) AS DECIMAL(12,2)) AS applied,
       CAST(-COALESCE((SELECT SUM(r.amount) FROM ledger_entry r
                        WHERE r.bill_id = b.bill_id AND r.entry_type = 'rebate'
                          AND r.account_id = b.account_id
                          AND r.entry_id > (SELECT MIN(e.entry_id) FROM ledger_entry e
                                             WHERE e.payment_id = al.payment_id
                                               AND e.entry_type = 'payment')
                          AND r.entry_id <= MAX(pp.last_entry_id)), 0) AS DECIMAL(12,2))
           AS rebate_earned
  FROM payment_posting pp
  JOIN payment_allocation al ON al.payment_id = pp.payment_id
                            AND al.allocation_id <= pp.last_allocation_id
  JOIN bill b ON b.bill_id = al.bill_id
 GROUP BY al.payment_id, b.bill_id, b.bill_no, b.period_start, b.period_end, b.due_date,
          b.account_id
