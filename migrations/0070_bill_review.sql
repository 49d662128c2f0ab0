-- Bill review and "why this bill differs" (issue 20; ../shared/spec/billing-rules.md,
-- "Simulations"; sql-api.md, preview_billing, discard_preview, v_preview_*, v_bill_comparison).
--
-- bill.issued_total: the bill's total as issued (energy + fixed + discounts + tax), before a
-- granted rebate or a late fee changes total_amount. The comparisons and the preview's flags
-- compare totals as issued. Bills issued before this migration get it from their lines (exact:
-- the total as issued is the sum of those lines).
--
-- bill_comparison: one row per bill, written when the bill is issued (by the same statements
-- that store it): the previous bill (the account's latest bill that was not cancelled, ending
-- the day before this one starts), usage_effect and other_effect (T1 - X and X - T0, X being
-- this bill priced again with the previous bill's daily consumption), and the bill of the same
-- period last year (period_end 351 to 379 days before this one's, the latest such, not
-- cancelled). Bills issued before this migration get the previous and last year's bill here,
-- and NULL effects: "not available" (they were not priced with X when issued, and pricing them
-- now would use today's tariffs and discounts, not theirs).
--
-- billing_preview / preview_bill / preview_line / preview_exception: a preview of a run
-- (preview_billing): the bills, lines and exceptions the run would produce, with the same
-- comparison and a flag. Nothing else is written by a preview. discard_preview deletes one (the
-- rows of the other three tables go with it: ON DELETE CASCADE); preview_billing discards
-- previews older than 7 days.
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.

ALTER TABLE bill
  ADD COLUMN issued_total DECIMAL(12,2) NULL
    COMMENT 'total as issued (energy + fixed + discounts + tax), before rebates and late fees'
    AFTER total_amount;

UPDATE bill b
JOIN (SELECT l.bill_id, SUM(l.amount) AS issued
      FROM bill_line l
      WHERE l.kind IN ('energy', 'fixed', 'discount', 'tax')
      GROUP BY l.bill_id) x ON x.bill_id = b.bill_id
SET b.issued_total = x.issued;

UPDATE bill SET issued_total = 0 WHERE issued_total IS NULL;

ALTER TABLE bill
  MODIFY COLUMN issued_total DECIMAL(12,2) NOT NULL
    COMMENT 'total as issued (energy + fixed + discounts + tax), before rebates and late fees';

CREATE TABLE bill_comparison (
  bill_id           INT UNSIGNED  NOT NULL,
  prev_bill_id      INT UNSIGNED  NULL COMMENT 'the previous bill when this one was issued',
  usage_effect      DECIMAL(12,2) NULL COMMENT 'T1 - X; NULL: no previous bill, or issued before X was computed',
  other_effect      DECIMAL(12,2) NULL COMMENT 'X - T0',
  last_year_bill_id INT UNSIGNED  NULL COMMENT 'period_end 351..379 days earlier, the latest such',
  PRIMARY KEY (bill_id),
  CONSTRAINT fk_bill_comparison_bill FOREIGN KEY (bill_id) REFERENCES bill (bill_id),
  CONSTRAINT fk_bill_comparison_prev FOREIGN KEY (prev_bill_id) REFERENCES bill (bill_id),
  CONSTRAINT fk_bill_comparison_last_year FOREIGN KEY (last_year_bill_id) REFERENCES bill (bill_id),
  CONSTRAINT ck_bill_comparison_effects CHECK ((usage_effect IS NULL) = (other_effect IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Why a bill differs from the previous one, stored at issue';

INSERT INTO bill_comparison (bill_id, prev_bill_id, usage_effect, other_effect, last_year_bill_id)
SELECT b.bill_id,
       (SELECT p.bill_id FROM bill p
        WHERE p.account_id = b.account_id AND p.cancelled_at IS NULL
          AND p.period_end < b.period_start
        ORDER BY p.period_end DESC LIMIT 1),
       NULL, NULL,
       (SELECT y.bill_id FROM bill y
        WHERE y.account_id = b.account_id AND y.cancelled_at IS NULL
          AND y.period_end BETWEEN b.period_end - INTERVAL 379 DAY AND b.period_end - INTERVAL 351 DAY
        ORDER BY y.period_end DESC LIMIT 1)
FROM bill b;

CREATE TABLE billing_preview (
  preview_id          INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  period_start        DATE          NOT NULL,
  period_end          DATE          NOT NULL,
  issue_date          DATE          NOT NULL,
  due_days            SMALLINT      NOT NULL,
  status              ENUM('running','completed','failed') NOT NULL DEFAULT 'running',
  accounts_considered INT UNSIGNED  NOT NULL DEFAULT 0,
  accounts_done       INT UNSIGNED  NOT NULL DEFAULT 0,
  bills               INT UNSIGNED  NOT NULL DEFAULT 0,
  exceptions          INT UNSIGNED  NOT NULL DEFAULT 0,
  estimated_bills     INT UNSIGNED  NOT NULL DEFAULT 0,
  flagged             INT UNSIGNED  NOT NULL DEFAULT 0,
  total_billed        DECIMAL(14,2) NOT NULL DEFAULT 0,
  created_by          VARCHAR(100)  NOT NULL,
  created_at          DATETIME      NOT NULL,
  finished_at         DATETIME      NULL,
  PRIMARY KEY (preview_id),
  KEY ix_preview_created (created_at),
  CONSTRAINT ck_preview_period CHECK (period_end >= period_start),
  CONSTRAINT ck_preview_due CHECK (due_days BETWEEN 1 AND 90)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='A preview of a billing run: what run_billing would bill, kept apart';

CREATE TABLE preview_bill (
  preview_id        INT UNSIGNED  NOT NULL,
  account_id        INT UNSIGNED  NOT NULL,
  period_start      DATE          NOT NULL,
  period_end        DATE          NOT NULL,
  days_billed       SMALLINT      NOT NULL,
  period_days       SMALLINT      NOT NULL,
  due_date          DATE          NOT NULL,
  prev_read_on      DATE          NOT NULL,
  prev_read_value   DECIMAL(12,2) NOT NULL,
  end_read_on       DATE          NOT NULL,
  end_read_value    DECIMAL(12,2) NOT NULL,
  register_advance  DECIMAL(12,2) NOT NULL,
  consumption_kwh   DECIMAL(14,4) NOT NULL,
  estimated         TINYINT(1)    NOT NULL,
  final             TINYINT(1)    NOT NULL,
  energy_charge     DECIMAL(12,2) NOT NULL,
  fixed_charge      DECIMAL(12,2) NOT NULL,
  discount_amount   DECIMAL(12,2) NOT NULL,
  tax_amount        DECIMAL(12,2) NOT NULL,
  total_amount      DECIMAL(12,2) NOT NULL,
  rebate_amount     DECIMAL(12,2) NOT NULL,
  rebate_date       DATE          NULL,
  replaces_bill_id  INT UNSIGNED  NULL,
  prev_bill_id      INT UNSIGNED  NULL,
  usage_effect      DECIMAL(12,2) NULL,
  other_effect      DECIMAL(12,2) NULL,
  last_year_bill_id INT UNSIGNED  NULL,
  flag              ENUM('HIGH','LOW','ZERO') NULL,
  PRIMARY KEY (preview_id, account_id),
  KEY ix_preview_bill_flag (preview_id, flag),
  CONSTRAINT fk_preview_bill_preview FOREIGN KEY (preview_id) REFERENCES billing_preview (preview_id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE preview_line (
  preview_id   INT UNSIGNED  NOT NULL,
  account_id   INT UNSIGNED  NOT NULL,
  line_no      SMALLINT      NOT NULL,
  kind         VARCHAR(16)   NOT NULL,
  description  VARCHAR(200)  NOT NULL,
  quantity_kwh DECIMAL(14,4) NULL,
  rate         DECIMAL(12,6) NULL,
  amount       DECIMAL(12,2) NOT NULL,
  PRIMARY KEY (preview_id, account_id, line_no),
  CONSTRAINT fk_preview_line_bill FOREIGN KEY (preview_id, account_id)
    REFERENCES preview_bill (preview_id, account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE preview_exception (
  preview_id INT UNSIGNED NOT NULL,
  account_id INT UNSIGNED NOT NULL,
  code       VARCHAR(30)  NOT NULL,
  detail     VARCHAR(200) NOT NULL,
  PRIMARY KEY (preview_id, account_id),
  CONSTRAINT fk_preview_exception_preview FOREIGN KEY (preview_id) REFERENCES billing_preview (preview_id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
