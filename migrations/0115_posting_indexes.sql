-- Indexes for one posting (issue 24 §3; db/procedures/post_payment.sql, docs/payments.md):
-- - bill.open_account_id (the account while the bill has money open, as payment.credit_account_id
--   is for credit) with the index (open_account_id, due_date): an account's open bills in the
--   order the allocation takes them (due date, then bill id), found by an equality. post_payment
--   locks them through it: the one or two open bills, where uk_bill_account_period reads every
--   bill the account ever had (about 11 at a year's history, each a table row). An equality, not
--   a range such as (account_id, open_due_date IS NOT NULL): a locking range read locks the
--   first record after the range with a next-key lock, i.e. the next account's bill, which
--   deadlocked postings of neighbouring accounts in test_payment_concurrency; after an equality
--   InnoDB locks only the gap before it.
-- - ledger_entry (account_id, entry_id, amount) in place of (account_id, entry_id): the balance
--   (the sum of an account's ledger) and the last entry id read from the index alone, with no
--   table row per entry. Every query that used the old index can use the new one (same first
--   columns); the foreign key on account_id keeps an index.
ALTER TABLE bill
  ADD COLUMN open_account_id INT UNSIGNED AS
    (IF(cancelled_at IS NULL AND amount_paid < total_amount, account_id, NULL)) STORED
    COMMENT 'account_id while money is open (not cancelled, amount_paid < total_amount), else NULL',
  ADD INDEX ix_bill_open_account (open_account_id, due_date);
ALTER TABLE ledger_entry
  DROP INDEX ix_ledger_account,
  ADD INDEX ix_ledger_account (account_id, entry_id, amount);
