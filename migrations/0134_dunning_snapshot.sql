-- The collectors' dunning list, kept (issue 24 §4; docs/notices.md, "The dunning list"). The list
-- (/dunning/) orders every account with money overdue by its dunning level and amount: the page
-- grouped every overdue bill by account and sorted the accounts on every visit (5.9 s at 1M
-- accounts with money overdue). The 5-minute job (`manage.py fold_report_deltas`) now keeps the
-- list's order (refresh_dunning_snapshot): the page reads its 50 rows by position and reads each
-- of those accounts' figures live from v_dunning (docs/notices.md says what a collector sees).
--
-- dunning_snapshot: one row, when the list was taken and its heading's figures (the kept rows'
-- count and sum). dunning_snapshot_account: the list, one row per account, by position. Both are
-- replaced whole by every refresh, in one transaction.
-- No foreign key to account, on purpose: its check takes a shared lock on each account row, so a
-- refresh would hold every listed account against postings (post_payment locks the account first)
-- until it commits, and it cost 4.7 s of the refresh at 1M accounts. The rows are v_dunning's,
-- whose accounts exist, and accounts are never deleted.
CREATE TABLE dunning_snapshot (
    snapshot_id  TINYINT UNSIGNED NOT NULL COMMENT 'always 1: one list',
    taken_at     DATETIME NOT NULL COMMENT 'when refresh_dunning_snapshot read v_dunning (its NOW())',
    as_of        DATE NOT NULL COMMENT 'the day the list is of (its CURRENT_DATE)',
    accounts     INT UNSIGNED NOT NULL COMMENT 'rows of dunning_snapshot_account',
    overdue      DECIMAL(14,2) NOT NULL COMMENT 'their amount_overdue summed',
    PRIMARY KEY (snapshot_id),
    CONSTRAINT ck_dunning_snapshot_one CHECK (snapshot_id = 1)
) ENGINE=InnoDB;

CREATE TABLE dunning_snapshot_account (
    rank_no          INT UNSIGNED NOT NULL COMMENT 'the position in the list, 1 first: level_no descending, then amount_overdue descending, then account_id',
    account_id       INT UNSIGNED NOT NULL,
    level_no         TINYINT UNSIGNED NOT NULL COMMENT 'v_dunning.level_no when taken',
    amount_overdue   DECIMAL(14,2) NOT NULL COMMENT 'v_dunning.amount_overdue when taken',
    oldest_due_date  DATE NOT NULL COMMENT 'v_dunning.oldest_due_date when taken',
    PRIMARY KEY (rank_no),
    CONSTRAINT ck_dunning_snapshot_rank CHECK (rank_no >= 1),
    CONSTRAINT ck_dunning_snapshot_level CHECK (level_no <= 3),
    CONSTRAINT ck_dunning_snapshot_amount CHECK (amount_overdue > 0)
) ENGINE=InnoDB;
