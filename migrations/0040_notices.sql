-- Notices (issue 23): the outbox of what customers must be told, their contact preferences and
-- the dunning days. Written by the procedures in the same transaction as their event
-- (bill_issued, final_bill, payment_received, payment_reversed, bill_cancelled, refund_paid) or
-- by queue_reminders (due_soon, overdue_1, overdue_2, final_notice); delivered by
-- `manage.py send_notices` through claim_notices / mark_notice (docs/notices.md).

-- A customer's e-mail preferences. No row: the defaults (e-mail bills and reminders, paper too).
CREATE TABLE contact_preference (
  customer_id     INT UNSIGNED NOT NULL,
  email_bills     TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'bill_issued, final_bill by e-mail',
  email_reminders TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'due_soon and the dunning levels by e-mail',
  paperless       TINYINT(1)   NOT NULL DEFAULT 0 COMMENT 'no paper bill is printed',
  updated_at      DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  updated_by      VARCHAR(100) NOT NULL,
  PRIMARY KEY (customer_id),
  CONSTRAINT fk_contact_preference_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id),
  CONSTRAINT ck_contact_preference_flags CHECK (email_bills IN (0, 1) AND email_reminders IN (0, 1)
                                                AND paperless IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Contact preferences per customer (set_contact_preferences)';

-- The dunning days: one global row (tariff_id NULL) and optional per-tariff overrides.
CREATE TABLE dunning_setting (
  dunning_setting_id INT UNSIGNED     NOT NULL AUTO_INCREMENT,
  tariff_id          INT UNSIGNED     NULL COMMENT 'NULL: the global row',
  tariff_key         INT UNSIGNED AS (COALESCE(tariff_id, 0)) STORED COMMENT 'one row per tariff and one global',
  due_soon_days      SMALLINT UNSIGNED NOT NULL COMMENT 'due_soon this many days before the due date',
  overdue_1_days     SMALLINT UNSIGNED NOT NULL COMMENT 'overdue_1 this many days after the due date',
  overdue_2_days     SMALLINT UNSIGNED NOT NULL,
  final_notice_days  SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (dunning_setting_id),
  UNIQUE KEY uk_dunning_setting_tariff (tariff_key),
  CONSTRAINT fk_dunning_setting_tariff FOREIGN KEY (tariff_id) REFERENCES tariff (tariff_id),
  CONSTRAINT ck_dunning_setting_days CHECK (due_soon_days >= 1 AND overdue_1_days >= 1
      AND overdue_2_days > overdue_1_days AND final_notice_days > overdue_2_days)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Dunning days: global (tariff_id NULL) with per-tariff overrides';

-- The global row with the defaults (3 days before; 1, 14, 28 after); update it to choose
-- other days. queue_reminders writes the same row again if it was deleted.
INSERT INTO dunning_setting (tariff_id, due_soon_days, overdue_1_days, overdue_2_days, final_notice_days)
VALUES (NULL, 3, 1, 14, 28);

-- The outbox. status: pending (to send; claimed while claimed_at is under 10 minutes old),
-- sent, failed (for good, after the retries), skipped (skip_reason: no e-mail, opted out).
CREATE TABLE notice (
  notice_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind            ENUM('bill_issued','final_bill','payment_received','payment_reversed',
                       'bill_cancelled','refund_paid','due_soon','overdue_1','overdue_2',
                       'final_notice') NOT NULL,
  customer_id     INT UNSIGNED    NOT NULL,
  account_id      INT UNSIGNED    NULL,
  bill_id         INT UNSIGNED    NULL COMMENT 'the bill kinds; NULL for payment and refund kinds',
  payment_id      INT UNSIGNED    NULL,
  refund_id       INT UNSIGNED    NULL,
  status          ENUM('pending','sent','failed','skipped') NOT NULL DEFAULT 'pending',
  skip_reason     VARCHAR(100)    NULL,
  attempts        SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'failed sending attempts',
  next_attempt_at DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  claimed_by      VARCHAR(100)    NULL,
  claimed_at      DATETIME        NULL,
  claim_token     CHAR(36)        NULL COMMENT 'the claim_notices call that holds it',
  message_id      VARCHAR(255)    NULL,
  last_error      VARCHAR(1000)   NULL,
  created_at      DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  sent_at         DATETIME        NULL,
  PRIMARY KEY (notice_id),
  UNIQUE KEY uk_notice_bill_kind (bill_id, kind) COMMENT 'each bill gets each kind once; NULL bill_id never collides',
  KEY ix_notice_due (status, next_attempt_at),
  KEY ix_notice_claim (claim_token),
  KEY ix_notice_customer (customer_id, created_at),
  KEY ix_notice_account (account_id, created_at),
  KEY ix_notice_payment (payment_id),
  CONSTRAINT fk_notice_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id),
  CONSTRAINT fk_notice_account FOREIGN KEY (account_id) REFERENCES account (account_id),
  CONSTRAINT fk_notice_bill FOREIGN KEY (bill_id) REFERENCES bill (bill_id),
  CONSTRAINT fk_notice_payment FOREIGN KEY (payment_id) REFERENCES payment (payment_id),
  CONSTRAINT ck_notice_skip CHECK ((status = 'skipped') = (skip_reason IS NOT NULL)),
  CONSTRAINT ck_notice_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Notices outbox: written with their event, delivered by send_notices';
