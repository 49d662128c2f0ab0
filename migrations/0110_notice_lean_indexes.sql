-- The notice outbox keeps only the indexes something reads (issue 23, "a billing run of 100k
-- accounts writes its 100k notices without slowing the run by more than 10 %"; measured in
-- docs/notices.md, "Cost in a billing run"). Every notice row pays one entry in every
-- secondary index, NULL keys included: a billing run writes one bill notice per bill, so an
-- index read by nobody costs the run its share of each bill.
-- - ix_notice_claim (claim_token, 144 bytes a key): claim_notices now keeps the ids it claimed
--   in a temporary table and reads them back by primary key; nothing else reads by token.
-- - ix_notice_payment and the index of fk_notice_refund, with their foreign keys: nobody reads
--   notices by payment or refund; the keys only guarded rows that _queue_notice writes with the
--   payment or refund that its caller inserted (or read under lock) in the same transaction,
--   and payments and refunds are never deleted (payment_no_delete; no procedure deletes a
--   refund). The columns stay: the sender reads them to attach the receipt.
-- Kept: uk_notice_bill_kind (each kind once per bill; queue_reminders, v_dunning),
-- ix_notice_due (claim_notices, the failed-notices page), ix_notice_customer (portal,
-- back office, fk_notice_customer), ix_notice_account (v_dunning, fk_notice_account).
ALTER TABLE notice
  DROP FOREIGN KEY fk_notice_payment,
  DROP FOREIGN KEY fk_notice_refund;
ALTER TABLE notice
  DROP INDEX ix_notice_claim,
  DROP INDEX ix_notice_payment,
  DROP INDEX fk_notice_refund;
