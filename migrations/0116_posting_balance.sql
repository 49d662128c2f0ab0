-- payment_posting.balance_after (issue 24 §3; db/procedures/post_payment.sql, docs/payments.md):
-- the account's balance at the posting's last ledger entry, as post_payment answered it. The
-- next posting of the account starts from it and adds only the entries after last_entry_id,
-- instead of summing the account's whole ledger (a hot account gets thousands of entries a
-- day). Exact because an account's ledger is append-only and every writer of it holds the
-- account's lock: no entry of the account with an id up to last_entry_id can appear after the
-- posting committed (the replay's answer rests on the same fact). NULL where not recorded
-- (postings before this migration, bank-file lines): the next posting sums the whole ledger.
ALTER TABLE payment_posting
  ADD COLUMN balance_after DECIMAL(12,2) NULL
    COMMENT 'the account''s balance at last_entry_id (NULL: not recorded)';
