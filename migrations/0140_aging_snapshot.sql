-- The aging report, kept (issue 24 §4; docs/backoffice.md, "Reports"). The report (/reports/aging/)
-- adds up every account's open bills by days past due and sorts the accounts biggest first on
-- every visit: 3.1 s at 1M accounts with money open. The 5-minute job (`manage.py
-- fold_report_deltas`) now keeps the report as it is at that moment (refresh_aging_snapshot): the
-- page reads its 50 rows in the order of an index and its totals from a few kept rows, and says
-- when the figures were taken; "Add up the figures now" reads the live view as before.
--
-- aging_snapshot: one row, when the report was taken. aging_snapshot_account: the report's rows,
-- one per account with money open, with the figures as taken, in the report's order by its index
-- (total_open descending, then account_id; a second index for one tariff). A refresh writes only
-- the rows whose figures changed since the last one (an account paid, billed or charged, a bill
-- that crossed into the next bucket, a tariff changed), so the 5-minute job rewrites a few rows,
-- not every account (nor the binary log a million rows every 5 minutes).
-- aging_snapshot_group: the rows summed by tariff and by whether money is overdue, so that the
-- totals of any filter of the report (a tariff, only accounts with money overdue) add up at most
-- two rows per tariff.
-- No foreign key to account, on purpose (as dunning_snapshot_account, migration 0134): its check
-- would take a shared lock on every listed account, which postings lock first, until the refresh
-- commits. The rows are v_aging's, whose accounts exist, and accounts are never deleted.
CREATE TABLE aging_snapshot (
    snapshot_id  TINYINT UNSIGNED NOT NULL COMMENT 'always 1: one report',
    taken_at     DATETIME NOT NULL COMMENT 'when refresh_aging_snapshot read v_aging (its NOW())',
    as_of        DATE NOT NULL COMMENT 'the day the buckets count from (its CURRENT_DATE)',
    PRIMARY KEY (snapshot_id),
    CONSTRAINT ck_aging_snapshot_one CHECK (snapshot_id = 1)
) ENGINE=InnoDB;

CREATE TABLE aging_snapshot_account (
    account_id   INT UNSIGNED NOT NULL,
    tariff_code  VARCHAR(20) NOT NULL COMMENT 'the account''s tariff when taken',
    not_due      DECIMAL(14,2) NOT NULL COMMENT 'v_aging''s buckets when taken',
    d1_30        DECIMAL(14,2) NOT NULL,
    d31_60       DECIMAL(14,2) NOT NULL,
    d61_90       DECIMAL(14,2) NOT NULL,
    d90_plus     DECIMAL(14,2) NOT NULL,
    total_open   DECIMAL(14,2) NOT NULL,
    PRIMARY KEY (account_id),
    KEY ix_aging_snapshot_account_order (total_open DESC, account_id),
    KEY ix_aging_snapshot_account_tariff (tariff_code, total_open DESC, account_id),
    CONSTRAINT ck_aging_snapshot_total CHECK (total_open = not_due + d1_30 + d31_60 + d61_90 + d90_plus)
) ENGINE=InnoDB;

CREATE TABLE aging_snapshot_group (
    tariff_code  VARCHAR(20) NOT NULL,
    overdue      TINYINT UNSIGNED NOT NULL COMMENT '1: the accounts with money overdue (total_open > not_due), 0: the others',
    accounts     INT UNSIGNED NOT NULL COMMENT 'rows of aging_snapshot_account in the group',
    not_due      DECIMAL(16,2) NOT NULL COMMENT 'their buckets summed',
    d1_30        DECIMAL(16,2) NOT NULL,
    d31_60       DECIMAL(16,2) NOT NULL,
    d61_90       DECIMAL(16,2) NOT NULL,
    d90_plus     DECIMAL(16,2) NOT NULL,
    total_open   DECIMAL(16,2) NOT NULL,
    PRIMARY KEY (tariff_code, overdue),
    CONSTRAINT ck_aging_snapshot_group_overdue CHECK (overdue IN (0, 1)),
    CONSTRAINT ck_aging_snapshot_group_accounts CHECK (accounts >= 1)
) ENGINE=InnoDB;
