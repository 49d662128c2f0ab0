-- v_staff_bill_history: what happened to a bill, in order (a helper view of the staff bill
-- page, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   bill_id, happened_at (DATETIME), step (orders the events of one instant as they happen:
--   0 issued, 1 a payment put on it or taken back, 2 a rebate, late fee or cancel, 3 the rebill),
--   seq (then the row's own id)
--   event     a ledger entry of the bill: bill (issued), late_fee, rebate, rebate_revoked,
--             bill_cancel; or allocation (a payment put money on it), allocation_undone (a
--             reversal or a cancel took it back); or replaced_by (a rebill of its days)
--   amount    the ledger entry's or allocation's amount, with its sign (NULL for replaced_by)
--   payment_id, receipt_no   the payment of an allocation row
--   other_bill_id, other_bill_no   the bill that replaces this one (replaced_by)
--   actor     who acted (ledger entries; NULL for allocations and rebills)
-- Text columns are converted to one collation in every branch (a UNION of mixed ones is 1271).
-- Example: SELECT * FROM v_staff_bill_history WHERE bill_id = 42 ORDER BY happened_at, step, seq;
CREATE VIEW v_staff_bill_history AS
SELECT l.bill_id, l.posted_at AS happened_at, IF(l.entry_type = 'bill', 0, 2) AS step,
       l.entry_id AS seq,
       CONVERT(l.entry_type USING utf8mb4) COLLATE utf8mb4_unicode_ci AS event, l.amount,
       CAST(NULL AS UNSIGNED) AS payment_id,
       CONVERT(NULL USING utf8mb4) COLLATE utf8mb4_unicode_ci AS receipt_no,
       CAST(NULL AS UNSIGNED) AS other_bill_id,
       CONVERT(NULL USING utf8mb4) COLLATE utf8mb4_unicode_ci AS other_bill_no,
       CONVERT(l.actor USING utf8mb4) COLLATE utf8mb4_unicode_ci AS actor
  FROM ledger_entry l
 WHERE l.bill_id IS NOT NULL
UNION ALL
SELECT a.bill_id, a.created_at, 1, a.allocation_id,
       CONVERT(IF(a.amount > 0, 'allocation', 'allocation_undone') USING utf8mb4)
           COLLATE utf8mb4_unicode_ci,
       a.amount,
       a.payment_id,
       CONVERT(receipt_no(p.payment_id, p.posted_at) USING utf8mb4) COLLATE utf8mb4_unicode_ci,
       NULL, NULL, NULL
  FROM payment_allocation a
  JOIN payment p ON p.payment_id = a.payment_id
UNION ALL
SELECT o.bill_id, n.created_at, 3, n.bill_id,
       CONVERT('replaced_by' USING utf8mb4) COLLATE utf8mb4_unicode_ci, NULL,
       NULL, NULL,
       n.bill_id, CONVERT(n.bill_no USING utf8mb4) COLLATE utf8mb4_unicode_ci, NULL
  FROM bill n
  JOIN bill o ON o.bill_id = n.replaces_bill_id
