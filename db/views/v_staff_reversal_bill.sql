-- v_staff_reversal_bill: what reversing a payment would do to each bill it paid (a helper view
-- of the staff back office's reversal confirmation, not part of the contract; see
-- docs/backoffice.md). Read before reverse_payment; it changes nothing.
--
-- Columns
--   payment_id, bill_id, bill_no, account_id
--   allocated          what the payment holds on the bill (its allocations, net); reversal takes
--                      it off the bill
--   amount_open        the bill's open money now
--   rebate_revoked     the early-payment rebate the reversal revokes on the bill (billing-rules.md,
--                      Payments: a bill that loses money loses its granted rebate), 0 when none
--   amount_open_after  the bill's open money after the reversal: amount_open + allocated +
--                      rebate_revoked
-- One row per bill the payment holds money on (allocated > 0); none for a reversed payment.
-- Example: SELECT * FROM v_staff_reversal_bill WHERE payment_id = 12 ORDER BY bill_id;
CREATE VIEW v_staff_reversal_bill AS
SELECT x.payment_id, x.bill_id, s.bill_no, s.account_id, x.allocated, s.amount_open,
       IF(s.rebate_granted = 1, s.rebate_amount, 0) AS rebate_revoked,
       s.amount_open + x.allocated + IF(s.rebate_granted = 1, s.rebate_amount, 0)
           AS amount_open_after
  FROM (SELECT pa.payment_id, pa.bill_id, SUM(pa.amount) AS allocated
          FROM payment_allocation pa
         GROUP BY pa.payment_id, pa.bill_id
        HAVING SUM(pa.amount) > 0) x
  JOIN v_bill_summary s ON s.bill_id = x.bill_id
