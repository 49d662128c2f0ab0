-- v_receipt: a payment's receipt as posted (issue 21, "Receipts"): its figures come from the
-- append-only rows written by the posting itself, so a later bill that takes the payment's
-- credit, a later payment or a late fee never changes them (not contract; the portal reads it).
--
-- The posting's rows: payment_posting (written by post_payment) holds the payment's last
-- allocation row and the account's last ledger entry at posting; everything up to there is the
-- state right after the posting (the account was locked, so nothing else came in between).
-- Columns:
--   payment_id, receipt_no, account_id, account_no, customer_id, amount, method, paid_at,
--   posted_at, posted_by (the actor: staff:<user> is the cashier of a counter payment),
--   status (posted/reversed), reversed_at, reversed_by, reversal_reason (NULL while posted),
--   posting_known    1 when the posting's positions were recorded (payments posted before
--                    migration 0050 have 0 and NULL figures below)
--   applied          money of this payment put on bills by the posting (sum of its allocations)
--   rebate_earned    the early-payment rebates the posting granted (positive)
--   credit_left      amount - applied: kept as account credit at posting
--   balance_after    the account's balance right after the posting (ledger sum up to the
--                    posting's last entry; negative is credit)
-- Example: SELECT applied, credit_left, balance_after FROM v_receipt WHERE payment_id = 42;
CREATE VIEW v_receipt AS
SELECT p.payment_id,
       receipt_no(p.payment_id, p.posted_at) AS receipt_no,
       p.account_id,
       a.account_no,
       a.customer_id,
       p.amount,
       p.method,
       p.paid_at,
       p.posted_at,
       p.posted_by,
       p.status,
       p.reversed_at,
       p.reversed_by,
       p.reversal_reason,
       IF(pp.payment_id IS NULL, 0, 1) AS posting_known,
       IF(pp.payment_id IS NULL, NULL,
          CAST(COALESCE((SELECT SUM(al.amount) FROM payment_allocation al
                          WHERE al.payment_id = p.payment_id
                            AND al.allocation_id <= pp.last_allocation_id), 0) AS DECIMAL(12,2)))
           AS applied,
       IF(pp.payment_id IS NULL, NULL,
          CAST(-COALESCE((SELECT SUM(r.amount) FROM ledger_entry r
                           WHERE r.account_id = p.account_id AND r.entry_type = 'rebate'
                             AND r.entry_id > (SELECT MIN(e.entry_id) FROM ledger_entry e
                                                WHERE e.payment_id = p.payment_id
                                                  AND e.entry_type = 'payment')
                             AND r.entry_id <= pp.last_entry_id), 0) AS DECIMAL(12,2)))
           AS rebate_earned,
       IF(pp.payment_id IS NULL, NULL,
          CAST(p.amount - COALESCE((SELECT SUM(al.amount) FROM payment_allocation al
                                     WHERE al.payment_id = p.payment_id
                                       AND al.allocation_id <= pp.last_allocation_id), 0)
               AS DECIMAL(12,2)))
           AS credit_left,
       IF(pp.payment_id IS NULL, NULL,
          CAST((SELECT SUM(l.amount) FROM ledger_entry l
                 WHERE l.account_id = p.account_id AND l.entry_id <= pp.last_entry_id)
               AS DECIMAL(12,2)))
           AS balance_after
  FROM payment p
  JOIN account a ON a.account_id = p.account_id
  LEFT JOIN payment_posting pp ON pp.payment_id = p.payment_id
