-- Bank files (issue 24 §2; ../shared/spec/sql-api.md, stage_payment_batch / post_payment_batch).
--
-- payment_batch: one bank or lockbox file. batch_ref is the caller's name for it (e.g. the
-- file's name); it is unique among open batches only: open_ref is batch_ref while the batch is
-- open and NULL once it is posted (a unique key with a NULL part never collides), so the same
-- batch_ref appends to the same open batch and names a new one after it was posted.
--
-- payment_batch_line: one line of the file, numbered 1, 2, ... in the order received. The
-- fields are kept as received (text, at most 1000 characters each; stage_payment_batch refuses
-- longer ones), because posting must end each line exactly as post_payment would have with
-- those arguments; amount is also kept parsed (DECIMAL, NULL when it is no valid amount) for
-- previews. idempotency_key holds the key's bytes (compared byte for byte, like the payment's;
-- VARBINARY so that no collation folds case or pads spaces). outcome: pending until posted, then
-- posted / replayed (payment_id: the payment posted or answered) / refused (errno, message).
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.

CREATE TABLE payment_batch (
  batch_id    INT UNSIGNED NOT NULL AUTO_INCREMENT,
  batch_ref   VARCHAR(100) NOT NULL,
  status      ENUM('open','posted') NOT NULL DEFAULT 'open',
  open_ref    VARCHAR(100) AS (IF(status = 'open', batch_ref, NULL)) STORED,
  created_by  VARCHAR(100) NOT NULL,
  created_at  DATETIME     NOT NULL,
  posted_by   VARCHAR(100) NULL,
  posted_at   DATETIME     NULL,
  PRIMARY KEY (batch_id),
  UNIQUE KEY uk_payment_batch_open_ref (open_ref),
  KEY ix_payment_batch_ref (batch_ref)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE payment_batch_line (
  batch_id         INT UNSIGNED  NOT NULL,
  line_no          INT UNSIGNED  NOT NULL,
  account_no       VARCHAR(1000) NULL,
  amount_text      VARCHAR(1000) NULL,
  amount           DECIMAL(12,2) NULL,
  method           VARCHAR(1000) NULL,
  paid_at          VARCHAR(1000) NULL,
  idempotency_key  VARBINARY(4000) NULL,
  outcome          ENUM('pending','posted','replayed','refused') NOT NULL DEFAULT 'pending',
  payment_id       INT UNSIGNED  NULL,
  errno            SMALLINT UNSIGNED NULL,
  message          VARCHAR(512)  NULL,
  done_at          DATETIME      NULL,
  PRIMARY KEY (batch_id, line_no),
  KEY ix_payment_batch_line_payment (payment_id),
  CONSTRAINT fk_payment_batch_line_batch FOREIGN KEY (batch_id) REFERENCES payment_batch (batch_id),
  CONSTRAINT fk_payment_batch_line_payment FOREIGN KEY (payment_id) REFERENCES payment (payment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
