-- The billing schema: tables, keys and constraints (3NF; money DECIMAL(12,2); utf8mb4).
-- Routines, triggers and views are created by the later migrations from db/.
-- Derived values (bill status, balances) are not stored unless a hot path needs them;
-- where one is cached (bill.amount_paid, bill.total_amount, payment.amount_allocated),
-- v_ledger_integrity checks it against its source.

CREATE TABLE number_counter (
  counter_name  VARCHAR(20)  NOT NULL COMMENT 'customer, account or bill',
  counter_year  SMALLINT     NOT NULL COMMENT 'calendar year, 0 for counters that never restart',
  `last_value`  INT UNSIGNED NOT NULL,   -- quoted: reserved in MySQL 8.0.2+; renamed by 0031
  PRIMARY KEY (counter_name, counter_year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Gapless number series (customer_no, account_no, bill_no per year)';

CREATE TABLE customer (
  customer_id  INT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_no  VARCHAR(12)  NOT NULL,
  full_name    VARCHAR(200) NOT NULL,
  email        VARCHAR(254) NULL,
  phone        VARCHAR(40)  NULL,
  address      VARCHAR(500) NULL,
  created_at   DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at   DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (customer_id),
  UNIQUE KEY uk_customer_no (customer_no),
  KEY ix_customer_name (full_name),
  KEY ix_customer_email (email),
  CONSTRAINT ck_customer_name CHECK (TRIM(full_name) <> ''),
  CONSTRAINT ck_customer_email CHECK (email IS NULL OR email LIKE '_%@_%._%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tariff (
  tariff_id   INT UNSIGNED NOT NULL AUTO_INCREMENT,
  code        VARCHAR(20)  NOT NULL,
  name        VARCHAR(100) NOT NULL,
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (tariff_id),
  UNIQUE KEY uk_tariff_code (code),
  CONSTRAINT ck_tariff_code CHECK (TRIM(code) <> ''),
  CONSTRAINT ck_tariff_name CHECK (TRIM(name) <> '')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tariff_version (
  tariff_version_id INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  tariff_id         INT UNSIGNED  NOT NULL,
  effective_from    DATE          NOT NULL,
  fixed_charge      DECIMAL(12,2) NOT NULL,
  tax_rate_pct      DECIMAL(5,2)  NOT NULL,
  late_fee_pct      DECIMAL(5,2)  NOT NULL,
  early_pay_pct     DECIMAL(5,2)  NOT NULL,
  early_pay_days    SMALLINT      NOT NULL,
  created_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (tariff_version_id),
  UNIQUE KEY uk_tariff_version_from (tariff_id, effective_from),
  CONSTRAINT fk_tariff_version_tariff FOREIGN KEY (tariff_id) REFERENCES tariff (tariff_id),
  CONSTRAINT ck_tariff_version_fixed CHECK (fixed_charge >= 0),
  CONSTRAINT ck_tariff_version_tax CHECK (tax_rate_pct BETWEEN 0 AND 100),
  CONSTRAINT ck_tariff_version_late CHECK (late_fee_pct BETWEEN 0 AND 100),
  CONSTRAINT ck_tariff_version_early CHECK (early_pay_pct BETWEEN 0 AND 100),
  CONSTRAINT ck_tariff_version_early_days CHECK (early_pay_days BETWEEN 0 AND 366)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tariff_block (
  tariff_version_id INT UNSIGNED     NOT NULL,
  block_no          TINYINT UNSIGNED NOT NULL COMMENT '1 = lowest block',
  up_to_kwh         DECIMAL(14,4)    NULL COMMENT 'NULL: the open last block',
  rate              DECIMAL(12,6)    NOT NULL COMMENT 'money per kWh',
  PRIMARY KEY (tariff_version_id, block_no),
  CONSTRAINT fk_tariff_block_version FOREIGN KEY (tariff_version_id)
    REFERENCES tariff_version (tariff_version_id),
  CONSTRAINT ck_tariff_block_no CHECK (block_no >= 1),
  CONSTRAINT ck_tariff_block_up_to CHECK (up_to_kwh IS NULL OR up_to_kwh > 0),
  CONSTRAINT ck_tariff_block_rate CHECK (rate >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE discount (
  discount_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  code        VARCHAR(20)  NOT NULL,
  name        VARCHAR(100) NOT NULL,
  pct         DECIMAL(5,2) NOT NULL,
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (discount_id),
  UNIQUE KEY uk_discount_code (code),
  CONSTRAINT ck_discount_code CHECK (TRIM(code) <> ''),
  CONSTRAINT ck_discount_name CHECK (TRIM(name) <> ''),
  CONSTRAINT ck_discount_pct CHECK (pct BETWEEN 0 AND 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE account (
  account_id      INT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_no      VARCHAR(12)  NOT NULL,
  customer_id     INT UNSIGNED NOT NULL,
  tariff_id       INT UNSIGNED NOT NULL,
  service_address VARCHAR(500) NOT NULL,
  opened_on       DATE         NOT NULL,
  closed_on       DATE         NULL COMMENT 'last day of service; NULL while open',
  created_at      DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (account_id),
  UNIQUE KEY uk_account_no (account_no),
  KEY ix_account_customer (customer_id),
  KEY ix_account_tariff (tariff_id),
  CONSTRAINT fk_account_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id),
  CONSTRAINT fk_account_tariff FOREIGN KEY (tariff_id) REFERENCES tariff (tariff_id),
  CONSTRAINT ck_account_address CHECK (TRIM(service_address) <> ''),
  CONSTRAINT ck_account_dates CHECK (closed_on IS NULL OR closed_on >= opened_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE account_discount (
  account_discount_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id          INT UNSIGNED NOT NULL,
  discount_id         INT UNSIGNED NOT NULL,
  valid_from          DATE         NOT NULL,
  valid_to            DATE         NULL COMMENT 'inclusive; NULL: open-ended',
  created_at          DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (account_discount_id),
  UNIQUE KEY uk_account_discount (account_id, discount_id, valid_from),
  KEY ix_account_discount_discount (discount_id),
  CONSTRAINT fk_account_discount_account FOREIGN KEY (account_id) REFERENCES account (account_id),
  CONSTRAINT fk_account_discount_discount FOREIGN KEY (discount_id) REFERENCES discount (discount_id),
  CONSTRAINT ck_account_discount_dates CHECK (valid_to IS NULL OR valid_to >= valid_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE meter (
  meter_id    INT UNSIGNED     NOT NULL AUTO_INCREMENT,
  serial_no   VARCHAR(40)      NOT NULL,
  dial_digits TINYINT UNSIGNED NOT NULL COMMENT 'register capacity is 10^dial_digits',
  multiplier  DECIMAL(8,2)     NOT NULL DEFAULT 1
    COMMENT 'CT ratio; two decimals keep register step x multiplier exact in DECIMAL(14,4)',
  created_at  DATETIME         NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (meter_id),
  UNIQUE KEY uk_meter_serial (serial_no),
  CONSTRAINT ck_meter_serial CHECK (TRIM(serial_no) <> ''),
  CONSTRAINT ck_meter_digits CHECK (dial_digits BETWEEN 1 AND 9),
  CONSTRAINT ck_meter_multiplier CHECK (multiplier > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE meter_installation (
  meter_installation_id INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  meter_id              INT UNSIGNED  NOT NULL,
  account_id            INT UNSIGNED  NOT NULL,
  installed_on          DATE          NOT NULL,
  initial_read          DECIMAL(12,2) NOT NULL,
  removed_on            DATE          NULL,
  active_account_id     INT UNSIGNED AS (IF(removed_on IS NULL, account_id, NULL)) STORED
    COMMENT 'one active meter per account',
  created_at            DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (meter_installation_id),
  UNIQUE KEY uk_installation_meter (meter_id),
  UNIQUE KEY uk_installation_active_account (active_account_id),
  KEY ix_installation_account (account_id),
  CONSTRAINT fk_installation_meter FOREIGN KEY (meter_id) REFERENCES meter (meter_id),
  CONSTRAINT fk_installation_account FOREIGN KEY (account_id) REFERENCES account (account_id),
  CONSTRAINT ck_installation_read CHECK (initial_read >= 0),
  CONSTRAINT ck_installation_dates CHECK (removed_on IS NULL OR removed_on >= installed_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every reading point of a meter, the initial read at installation included (kind 'initial').
-- consumption_kwh is the step from the meter's previous point (rollover and multiplier applied).
CREATE TABLE meter_reading (
  reading_id      INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  meter_id        INT UNSIGNED  NOT NULL,
  read_on         DATE          NOT NULL,
  value           DECIMAL(12,2) NOT NULL,
  kind            ENUM('initial','actual','estimated') NOT NULL,
  source          ENUM('field','customer','smart','system') NOT NULL,
  status          ENUM('accepted','review','rejected') NOT NULL,
  consumption_kwh DECIMAL(14,4) NOT NULL,
  recorded_by     VARCHAR(100)  NOT NULL,
  recorded_at     DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  reviewed_by     VARCHAR(100)  NULL,
  reviewed_at     DATETIME      NULL,
  reject_reason   VARCHAR(500)  NULL,
  point_on        DATE AS (IF(status = 'rejected', NULL, read_on)) STORED
    COMMENT 'one point per meter and day; rejected readings are no points',
  PRIMARY KEY (reading_id),
  UNIQUE KEY uk_reading_point (meter_id, point_on),
  KEY ix_reading_meter_date (meter_id, read_on),
  KEY ix_reading_point_kwh (meter_id, point_on, consumption_kwh)
    COMMENT 'billing sums the steps of a window from the index alone',
  KEY ix_reading_status (status),
  CONSTRAINT fk_reading_meter FOREIGN KEY (meter_id) REFERENCES meter (meter_id),
  CONSTRAINT ck_reading_value CHECK (value >= 0),
  CONSTRAINT ck_reading_consumption CHECK (consumption_kwh >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE billing_run (
  run_id           INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  period_start     DATE          NOT NULL,
  period_end       DATE          NOT NULL,
  issue_date       DATE          NOT NULL,
  due_days         SMALLINT      NOT NULL,
  status           ENUM('running','completed','failed') NOT NULL DEFAULT 'running',
  accounts_total   INT UNSIGNED  NOT NULL DEFAULT 0 COMMENT 'accounts to consider, for progress',
  accounts_done    INT UNSIGNED  NOT NULL DEFAULT 0,
  bills_created    INT UNSIGNED  NOT NULL DEFAULT 0,
  accounts_skipped INT UNSIGNED  NOT NULL DEFAULT 0,
  total_billed     DECIMAL(14,2) NOT NULL DEFAULT 0,
  started_by       VARCHAR(100)  NOT NULL,
  started_at       DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  finished_at      DATETIME      NULL,
  PRIMARY KEY (run_id),
  KEY ix_run_period (period_start, period_end),
  CONSTRAINT ck_run_period CHECK (period_end >= period_start),
  CONSTRAINT ck_run_due CHECK (due_days BETWEEN 1 AND 90),
  CONSTRAINT ck_run_progress CHECK (accounts_done <= accounts_total)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE billing_exception (
  run_id      INT UNSIGNED NOT NULL,
  account_id  INT UNSIGNED NOT NULL,
  code        VARCHAR(30)  NOT NULL,
  detail      VARCHAR(500) NOT NULL,
  recorded_at DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (run_id, account_id),
  KEY ix_exception_account (account_id),
  CONSTRAINT fk_exception_run FOREIGN KEY (run_id) REFERENCES billing_run (run_id),
  CONSTRAINT fk_exception_account FOREIGN KEY (account_id) REFERENCES account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A bill. total_amount and amount_paid are kept by the procedures that add lines and
-- allocations (checked by v_ledger_integrity); the status open/partial/paid is derived.
CREATE TABLE bill (
  bill_id           INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  bill_no           VARCHAR(16)   NOT NULL COMMENT 'YYYY-NNNNNN, gapless per year of issue_date',
  account_id        INT UNSIGNED  NOT NULL,
  run_id            INT UNSIGNED  NULL,
  tariff_version_id INT UNSIGNED  NOT NULL COMMENT 'version in force on period_end',
  period_start      DATE          NOT NULL COMMENT 'bs: first day billed',
  period_end        DATE          NOT NULL COMMENT 'be: last day billed',
  days_billed       SMALLINT      NOT NULL COMMENT 'D',
  period_days       SMALLINT      NOT NULL COMMENT 'P of the run',
  issue_date        DATE          NOT NULL,
  due_date          DATE          NOT NULL,
  prev_read_on      DATE          NOT NULL,
  prev_read_value   DECIMAL(12,2) NOT NULL,
  end_reading_id    INT UNSIGNED  NOT NULL,
  register_advance  DECIMAL(12,2) NOT NULL COMMENT 'register advance over the window, rollover applied',
  consumption_kwh   DECIMAL(14,4) NOT NULL COMMENT 'C',
  estimated         TINYINT(1)    NOT NULL DEFAULT 0,
  rebate_amount     DECIMAL(12,2) NOT NULL DEFAULT 0 COMMENT 'R offered',
  rebate_date       DATE          NULL,
  rebate_granted    TINYINT(1)    NOT NULL DEFAULT 0,
  late_fee_charged  TINYINT(1)    NOT NULL DEFAULT 0,
  total_amount      DECIMAL(12,2) NOT NULL,
  amount_paid       DECIMAL(12,2) NOT NULL DEFAULT 0,
  cancelled_at      DATETIME      NULL,
  created_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  open_due_date     DATE AS (IF(cancelled_at IS NULL AND amount_paid < total_amount, due_date, NULL)) STORED
    COMMENT 'due_date while money is open: the late-fee and overdue scans use it',
  PRIMARY KEY (bill_id),
  UNIQUE KEY uk_bill_no (bill_no),
  UNIQUE KEY uk_bill_account_period (account_id, period_end),
  KEY ix_bill_run (run_id),
  KEY ix_bill_due (due_date),
  KEY ix_bill_open_due (open_due_date),
  KEY ix_bill_issue (issue_date),
  CONSTRAINT fk_bill_account FOREIGN KEY (account_id) REFERENCES account (account_id),
  CONSTRAINT fk_bill_run FOREIGN KEY (run_id) REFERENCES billing_run (run_id),
  CONSTRAINT fk_bill_version FOREIGN KEY (tariff_version_id) REFERENCES tariff_version (tariff_version_id),
  CONSTRAINT fk_bill_end_reading FOREIGN KEY (end_reading_id) REFERENCES meter_reading (reading_id),
  CONSTRAINT ck_bill_period CHECK (period_end >= period_start),
  CONSTRAINT ck_bill_days CHECK (days_billed BETWEEN 1 AND period_days),
  CONSTRAINT ck_bill_due CHECK (due_date > issue_date AND issue_date >= period_end),
  CONSTRAINT ck_bill_rebate CHECK (rebate_amount >= 0 AND (rebate_amount = 0 OR rebate_date IS NOT NULL)),
  CONSTRAINT ck_bill_paid CHECK (amount_paid >= 0 AND amount_paid <= total_amount),
  CONSTRAINT ck_bill_total CHECK (total_amount >= 0),
  CONSTRAINT ck_bill_consumption CHECK (consumption_kwh >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE bill_line (
  bill_id           INT UNSIGNED      NOT NULL,
  line_no           SMALLINT UNSIGNED NOT NULL,
  kind              ENUM('energy','fixed','discount','tax','rebate','rebate_revoked','late_fee') NOT NULL,
  description       VARCHAR(200)      NOT NULL,
  tariff_version_id INT UNSIGNED      NULL,
  block_no          TINYINT UNSIGNED  NULL,
  quantity_kwh      DECIMAL(14,4)     NULL,
  rate              DECIMAL(12,6)     NULL,
  amount            DECIMAL(12,2)     NOT NULL,
  created_at        DATETIME          NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (bill_id, line_no),
  CONSTRAINT fk_bill_line_bill FOREIGN KEY (bill_id) REFERENCES bill (bill_id),
  CONSTRAINT ck_bill_line_sign CHECK (
    (kind IN ('energy','fixed','tax','rebate_revoked','late_fee') AND amount >= 0)
    OR (kind IN ('discount','rebate') AND amount <= 0))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A payment. account_id, amount and idempotency_key never change (trigger, 45060);
-- amount_allocated caches the sum of its allocations.
CREATE TABLE payment (
  payment_id       INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  account_id       INT UNSIGNED  NOT NULL,
  amount           DECIMAL(12,2) NOT NULL,
  method           ENUM('cash','card','cheque','bank_transfer','online') NOT NULL,
  paid_at          DATETIME      NOT NULL,
  posted_at        DATETIME      NOT NULL,
  idempotency_key  VARCHAR(100)  NOT NULL,
  amount_allocated DECIMAL(12,2) NOT NULL DEFAULT 0,
  status           ENUM('posted','reversed') NOT NULL DEFAULT 'posted',
  posted_by        VARCHAR(100)  NOT NULL,
  reversed_at      DATETIME      NULL,
  reversed_by      VARCHAR(100)  NULL,
  reversal_reason  VARCHAR(500)  NULL,
  credit_account_id INT UNSIGNED AS
    (IF(status = 'posted' AND amount_allocated < amount, account_id, NULL)) STORED
    COMMENT 'set while the payment has unallocated credit',
  PRIMARY KEY (payment_id),
  UNIQUE KEY uk_payment_key (idempotency_key),
  KEY ix_payment_account (account_id),
  KEY ix_payment_credit (credit_account_id),
  KEY ix_payment_paid_at (paid_at),
  CONSTRAINT fk_payment_account FOREIGN KEY (account_id) REFERENCES account (account_id),
  CONSTRAINT ck_payment_amount CHECK (amount > 0 AND amount <= 1000000),
  CONSTRAINT ck_payment_allocated CHECK (amount_allocated >= 0 AND amount_allocated <= amount),
  CONSTRAINT ck_payment_reversal CHECK ((status = 'reversed') = (reversed_at IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Allocations are append-only: a reversal adds rows of the opposite sign.
CREATE TABLE payment_allocation (
  allocation_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  payment_id    INT UNSIGNED    NOT NULL,
  bill_id       INT UNSIGNED    NOT NULL,
  amount        DECIMAL(12,2)   NOT NULL,
  created_at    DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (allocation_id),
  KEY ix_allocation_payment (payment_id),
  KEY ix_allocation_bill (bill_id),
  CONSTRAINT fk_allocation_payment FOREIGN KEY (payment_id) REFERENCES payment (payment_id),
  CONSTRAINT fk_allocation_bill FOREIGN KEY (bill_id) REFERENCES bill (bill_id),
  CONSTRAINT ck_allocation_amount CHECK (amount <> 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The append-only ledger: debits positive, credits negative; balance = SUM(amount).
CREATE TABLE ledger_entry (
  entry_id    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id  INT UNSIGNED    NOT NULL,
  entry_type  ENUM('bill','late_fee','rebate','rebate_revoked','payment','payment_reversal') NOT NULL,
  amount      DECIMAL(12,2)   NOT NULL,
  bill_id     INT UNSIGNED    NULL,
  payment_id  INT UNSIGNED    NULL,
  entry_date  DATE            NOT NULL COMMENT 'business date (issue date, payment date)',
  posted_at   DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  actor       VARCHAR(100)    NOT NULL,
  PRIMARY KEY (entry_id),
  KEY ix_ledger_account (account_id, entry_id),
  KEY ix_ledger_bill (bill_id),
  KEY ix_ledger_payment (payment_id),
  CONSTRAINT fk_ledger_account FOREIGN KEY (account_id) REFERENCES account (account_id),
  CONSTRAINT fk_ledger_bill FOREIGN KEY (bill_id) REFERENCES bill (bill_id),
  CONSTRAINT fk_ledger_payment FOREIGN KEY (payment_id) REFERENCES payment (payment_id),
  CONSTRAINT ck_ledger_sign CHECK (
    (entry_type IN ('bill','late_fee','rebate_revoked','payment_reversal') AND amount >= 0)
    OR (entry_type IN ('rebate','payment') AND amount <= 0)),
  CONSTRAINT ck_ledger_source CHECK (
    (entry_type IN ('bill','late_fee','rebate','rebate_revoked') AND bill_id IS NOT NULL)
    OR (entry_type IN ('payment','payment_reversal') AND payment_id IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
  audit_id    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  table_name  VARCHAR(64)     NOT NULL,
  row_key     VARCHAR(64)     NOT NULL,
  action      ENUM('insert','update','delete') NOT NULL,
  old_values  JSON            NULL,
  new_values  JSON            NULL,
  actor       VARCHAR(100)    NOT NULL,
  changed_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (audit_id),
  KEY ix_audit_row (table_name, row_key),
  KEY ix_audit_time (changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
