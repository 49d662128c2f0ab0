-- Corrections and refunds (issue 19; ../shared/spec/billing-rules.md "Corrections", "Refunds").
--
-- bill: a cancelled bill keeps its row and lines (never edited or deleted); cancelled_at (already
-- there) says it is cancelled, with who and why, its credit-note number CN-YYYY-NNNNNN (gapless
-- per year of the cancel date, number_counter 'credit_note'), and a rebill records the bill it
-- replaces (v_ledger_integrity checks that a cancelled bill has these and nothing paid on it;
-- no CHECK, so that older tests that mark a bill cancelled as root keep working). The unique
-- key on (account, period_end) holds for bills that are not cancelled only:
-- active_flag is 1 for them and NULL for a cancelled bill, and a unique key with a NULL part
-- never collides, so a rebill of the same period is possible. The key keeps its name and its
-- (account_id, period_end) prefix: the allocation and locking reads FORCE it to lock one
-- account's bills (db/procedures/_allocation_plan.sql).
--
-- meter_reading: status 'void' for an estimate whose bill was cancelled; like a rejected reading
-- it is no point of the meter (point_on NULL).
--
-- payment: amount_refunded caches the money of the payment paid back by refunds (refund_part);
-- the unallocated credit of a posted payment is amount - amount_allocated - amount_refunded.
--
-- refund / refund_part: a refund of unallocated credit, taken from the account's payments with
-- credit in payment id order (one refund_part per payment). Its idempotency key is byte-exact
-- and a namespace of its own (a refund key never matches a payment key): VARBINARY, because
-- utf8mb4_bin is a PAD SPACE collation on MariaDB ('abc' = 'abc ') and MariaDB 10.11 has no
-- utf8mb4_0900_bin.
--
-- ledger_entry: 'bill_cancel' (a credit of the cancelled bill's current total, bill_id set) and
-- 'refund' (a debit, refund_id set).
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.

ALTER TABLE bill
  ADD COLUMN cancelled_by     VARCHAR(100) NULL AFTER cancelled_at,
  ADD COLUMN cancel_reason    VARCHAR(500) NULL AFTER cancelled_by,
  ADD COLUMN credit_note_no   VARCHAR(16)  NULL COMMENT 'CN-YYYY-NNNNNN, gapless per year of the cancel date' AFTER cancel_reason,
  ADD COLUMN replaces_bill_id INT UNSIGNED NULL COMMENT 'the cancelled bill this one bills again' AFTER credit_note_no,
  ADD COLUMN active_flag      TINYINT AS (IF(cancelled_at IS NULL, 1, NULL)) STORED
    COMMENT '1 while not cancelled, NULL when cancelled: uk_bill_account_period ignores cancelled bills',
  DROP INDEX uk_bill_account_period,
  ADD UNIQUE KEY uk_bill_account_period (account_id, period_end, active_flag),
  ADD UNIQUE KEY uk_bill_credit_note (credit_note_no),
  ADD UNIQUE KEY uk_bill_replaces (replaces_bill_id),
  ADD CONSTRAINT fk_bill_replaces FOREIGN KEY (replaces_bill_id) REFERENCES bill (bill_id);

ALTER TABLE meter_reading
  MODIFY COLUMN status ENUM('accepted','review','rejected','void') NOT NULL;
ALTER TABLE meter_reading
  MODIFY COLUMN point_on DATE AS (IF(status IN ('rejected', 'void'), NULL, read_on)) STORED
    COMMENT 'one point per meter and day; rejected and void readings are no points';

ALTER TABLE payment
  ADD COLUMN amount_refunded DECIMAL(12,2) NOT NULL DEFAULT 0 COMMENT 'sum of its refund_part rows' AFTER amount_allocated;
ALTER TABLE payment
  DROP CONSTRAINT ck_payment_allocated;
ALTER TABLE payment
  MODIFY COLUMN credit_account_id INT UNSIGNED AS
    (IF(status = 'posted' AND amount_allocated + amount_refunded < amount, account_id, NULL)) STORED
    COMMENT 'set while the payment has unallocated credit',
  ADD CONSTRAINT ck_payment_allocated CHECK (amount_allocated >= 0 AND amount_refunded >= 0
                                             AND amount_allocated + amount_refunded <= amount);

CREATE TABLE refund (
  refund_id       INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  account_id      INT UNSIGNED  NOT NULL,
  amount          DECIMAL(12,2) NOT NULL,
  method          ENUM('cheque','bank_transfer','card') NOT NULL,
  idempotency_key VARBINARY(400) NOT NULL
    COMMENT 'the key''s utf8mb4 bytes (at most 100 characters): byte-exact, a namespace of its own',
  refunded_at     DATETIME      NOT NULL,
  actor           VARCHAR(100)  NOT NULL,
  PRIMARY KEY (refund_id),
  UNIQUE KEY uk_refund_key (idempotency_key),
  KEY ix_refund_account (account_id),
  CONSTRAINT fk_refund_account FOREIGN KEY (account_id) REFERENCES account (account_id),
  CONSTRAINT ck_refund_amount CHECK (amount > 0 AND amount <= 1000000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Unallocated credit paid back to the customer';

CREATE TABLE refund_part (
  refund_id  INT UNSIGNED  NOT NULL,
  payment_id INT UNSIGNED  NOT NULL,
  amount     DECIMAL(12,2) NOT NULL,
  PRIMARY KEY (refund_id, payment_id),
  KEY ix_refund_part_payment (payment_id),
  CONSTRAINT fk_refund_part_refund FOREIGN KEY (refund_id) REFERENCES refund (refund_id),
  CONSTRAINT fk_refund_part_payment FOREIGN KEY (payment_id) REFERENCES payment (payment_id),
  CONSTRAINT ck_refund_part_amount CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Which payments a refund took its money from';

ALTER TABLE ledger_entry
  DROP CONSTRAINT ck_ledger_sign;
ALTER TABLE ledger_entry
  DROP CONSTRAINT ck_ledger_source;
ALTER TABLE ledger_entry
  MODIFY COLUMN entry_type ENUM('bill','late_fee','rebate','rebate_revoked','payment','payment_reversal',
                                'bill_cancel','refund') NOT NULL,
  ADD COLUMN refund_id INT UNSIGNED NULL AFTER payment_id,
  ADD KEY ix_ledger_refund (refund_id),
  ADD CONSTRAINT fk_ledger_refund FOREIGN KEY (refund_id) REFERENCES refund (refund_id),
  ADD CONSTRAINT ck_ledger_sign CHECK (
    (entry_type IN ('bill','late_fee','rebate_revoked','payment_reversal','refund') AND amount >= 0)
    OR (entry_type IN ('rebate','payment','bill_cancel') AND amount <= 0)),
  ADD CONSTRAINT ck_ledger_source CHECK (
    (entry_type IN ('bill','late_fee','rebate','rebate_revoked','bill_cancel') AND bill_id IS NOT NULL)
    OR (entry_type IN ('payment','payment_reversal') AND payment_id IS NOT NULL)
    OR (entry_type = 'refund' AND refund_id IS NOT NULL));
