-- Tariff what-if (issue 20 §3; ../shared/spec/billing-rules.md, "Simulations", Tariff what-if;
-- sql-api.md, simulate_tariff and v_tariff_simulation).
--
-- tariff_simulation: one call of simulate_tariff: the proposal (fixed charge, tax rate; its
-- blocks in tariff_simulation_block), the range of bill period ends, the version in force on
-- date_to (the "now" of the typical-consumption table) and the summary (bills, revenue now and
-- proposed, accounts paying more / less / the same).
-- tariff_simulation_bill: one row per bill re-priced: its total as issued (total_now, before
-- rebates and late fees) and under the proposal (total_proposed).
-- tariff_simulation_account: the same per account (the sums of its bills in the range), with
-- the percent change and its histogram bucket, written once at the end of the simulation so
-- that the page's histogram and most-affected lists read an index, not a million bills.
-- tariff_simulation_typical: typical monthly consumption levels (100, 250, 500, 1000 kWh over a
-- 30-day period ending date_to) priced with the version in force on date_to and with the proposal.
-- The histogram's buckets are the view v_tariff_simulation_bucket (constants, one place).
-- Simulations older than 7 days are deleted by the next simulate_tariff (ON DELETE CASCADE).
-- ix_bill_version_end: the bills of a tariff's versions by period_end (what simulate_tariff reads).
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.

ALTER TABLE bill ADD KEY ix_bill_version_end (tariff_version_id, period_end);

CREATE TABLE tariff_simulation (
  simulation_id      INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  tariff_id          INT UNSIGNED  NOT NULL,
  fixed_charge       DECIMAL(12,2) NOT NULL,
  tax_rate_pct       DECIMAL(5,2)  NOT NULL,
  date_from          DATE          NOT NULL,
  date_to            DATE          NOT NULL,
  current_version_id INT UNSIGNED  NULL COMMENT 'the version in force on date_to, if any',
  status             ENUM('running','completed','failed') NOT NULL DEFAULT 'running',
  bills              INT UNSIGNED  NOT NULL DEFAULT 0,
  accounts           INT UNSIGNED  NOT NULL DEFAULT 0,
  revenue_now        DECIMAL(16,2) NOT NULL DEFAULT 0,
  revenue_proposed   DECIMAL(16,2) NOT NULL DEFAULT 0,
  accounts_up        INT UNSIGNED  NOT NULL DEFAULT 0,
  accounts_down      INT UNSIGNED  NOT NULL DEFAULT 0,
  accounts_same      INT UNSIGNED  NOT NULL DEFAULT 0,
  created_by         VARCHAR(100)  NOT NULL,
  created_at         DATETIME      NOT NULL,
  finished_at        DATETIME      NULL,
  PRIMARY KEY (simulation_id),
  KEY ix_simulation_created (created_at),
  KEY ix_simulation_tariff (tariff_id, simulation_id),
  CONSTRAINT fk_simulation_tariff FOREIGN KEY (tariff_id) REFERENCES tariff (tariff_id),
  CONSTRAINT ck_simulation_range CHECK (date_to >= date_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='A tariff what-if: bills of a tariff priced again under a proposed version';

CREATE TABLE tariff_simulation_block (
  simulation_id INT UNSIGNED     NOT NULL,
  block_no      TINYINT UNSIGNED NOT NULL,
  up_to_kwh     DECIMAL(14,4)    NULL,
  rate          DECIMAL(12,6)    NOT NULL,
  PRIMARY KEY (simulation_id, block_no),
  CONSTRAINT fk_simulation_block FOREIGN KEY (simulation_id) REFERENCES tariff_simulation (simulation_id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tariff_simulation_bill (
  simulation_id   INT UNSIGNED  NOT NULL,
  bill_id         INT UNSIGNED  NOT NULL,
  account_id      INT UNSIGNED  NOT NULL,
  period_end      DATE          NOT NULL,
  days_billed     SMALLINT      NOT NULL,
  consumption_kwh DECIMAL(14,4) NOT NULL,
  total_now       DECIMAL(12,2) NOT NULL COMMENT 'the bill as issued (bill.issued_total)',
  total_proposed  DECIMAL(12,2) NOT NULL,
  PRIMARY KEY (simulation_id, bill_id),
  KEY ix_simulation_bill_account (simulation_id, account_id),
  CONSTRAINT fk_simulation_bill FOREIGN KEY (simulation_id) REFERENCES tariff_simulation (simulation_id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tariff_simulation_account (
  simulation_id   INT UNSIGNED     NOT NULL,
  account_id      INT UNSIGNED     NOT NULL,
  bills           INT UNSIGNED     NOT NULL,
  consumption_kwh DECIMAL(16,4)    NOT NULL,
  total_now       DECIMAL(16,2)    NOT NULL,
  total_proposed  DECIMAL(16,2)    NOT NULL,
  change_amount   DECIMAL(16,2)    NOT NULL COMMENT 'total_proposed - total_now',
  change_pct      DECIMAL(12,2)    NULL COMMENT 'ROUND(100 * change / total_now, 2); NULL when total_now is 0',
  bucket_no       TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (simulation_id, account_id),
  KEY ix_simulation_account_change (simulation_id, change_amount),
  KEY ix_simulation_account_bucket (simulation_id, bucket_no),
  CONSTRAINT fk_simulation_account FOREIGN KEY (simulation_id) REFERENCES tariff_simulation (simulation_id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tariff_simulation_typical (
  simulation_id   INT UNSIGNED  NOT NULL,
  consumption_kwh DECIMAL(14,4) NOT NULL,
  period_days     SMALLINT      NOT NULL,
  total_now       DECIMAL(12,2) NULL COMMENT 'with the version in force on date_to; NULL: none',
  total_proposed  DECIMAL(12,2) NOT NULL,
  PRIMARY KEY (simulation_id, consumption_kwh),
  CONSTRAINT fk_simulation_typical FOREIGN KEY (simulation_id) REFERENCES tariff_simulation (simulation_id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
