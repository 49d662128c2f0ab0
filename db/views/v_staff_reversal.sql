-- v_staff_reversal: what reversing a payment would do to its account, one row per payment (a
-- helper view of the staff back office's reversal confirmation, not part of the contract; see
-- docs/backoffice.md). Read before reverse_payment; it changes nothing.
--
-- Columns
--   payment_id, account_id, amount, method, status ('posted' or 'reversed')
--   bills_reopened    bills that lose money (v_staff_reversal_bill rows)
--   rebates_revoked   the granted rebates revoked on them, summed (0 when none)
--   balance_now       the account's balance (v_account_balance)
--   balance_after     the balance after the reversal: the ledger is debited the payment's amount
--                     and every revoked rebate (billing-rules.md, Payments)
-- Example: SELECT bills_reopened, balance_after FROM v_staff_reversal WHERE payment_id = 12;
CREATE VIEW v_staff_reversal AS
SELECT p.payment_id, p.account_id, p.amount, p.method, p.status,
       CAST(COALESCE(r.bills, 0) AS UNSIGNED) AS bills_reopened,
       COALESCE(r.rebates, 0) AS rebates_revoked,
       ab.balance AS balance_now,
       ab.balance + p.amount + COALESCE(r.rebates, 0) AS balance_after
  FROM v_payments p
  JOIN v_account_balance ab ON ab.account_id = p.account_id
  LEFT JOIN (SELECT payment_id, COUNT(*) AS bills, SUM(rebate_revoked) AS rebates
               FROM v_staff_reversal_bill GROUP BY payment_id) r ON r.payment_id = p.payment_id
