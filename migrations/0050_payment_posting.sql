-- payment_posting: where a payment's posting ended in the append-only rows, so that its receipt
-- shows the payment as posted, whatever happens to the account later (issue 21, "Receipts").
-- post_payment writes one row per new payment, in the posting's transaction, under the account
-- lock: the last allocation row of that payment (NULL when the posting allocated nothing) and
-- the account's last ledger entry (the payment's credit and the rebates it earned). Later
-- allocations of the payment's credit (a new bill, a reversal of another payment) have higher
-- allocation ids; later ledger entries have higher entry ids. The figures themselves are read
-- from payment_allocation and ledger_entry up to these positions (db/views/v_receipt*.sql):
-- only positions are stored, never money.
-- Payments posted before this migration have no row: v_receipt shows them with posting_known 0.
CREATE TABLE payment_posting (
  payment_id          INT UNSIGNED    NOT NULL,
  last_allocation_id  BIGINT UNSIGNED NULL COMMENT 'the posting''s last payment_allocation row',
  last_entry_id       BIGINT UNSIGNED NOT NULL COMMENT 'the account''s last ledger entry at posting',
  PRIMARY KEY (payment_id),
  CONSTRAINT fk_posting_payment FOREIGN KEY (payment_id) REFERENCES payment (payment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
