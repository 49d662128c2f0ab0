-- The kept dunning list keyed by account (docs/notices.md, "The dunning list"). Migration 0134 kept
-- the list numbered (rank_no 1..n), so every refresh deleted and inserted every row: at 1M accounts
-- overdue a million rows rewritten every 5 minutes, and as many in the binary log (on for a
-- replica or point-in-time recovery). The list's order is now an index, (level_no DESC,
-- amount_overdue DESC, account_id), and a refresh writes only the rows that changed since the
-- last one (refresh_dunning_snapshot, as refresh_aging_snapshot does, migration 0140); the page
-- picks its 50 account ids from that index.
-- The kept rows are a copy of v_dunning, taken again by the next refresh: the table is made anew,
-- and the heading is deleted, so that the page reads v_dunning live until the job has run once.
DROP TABLE dunning_snapshot_account;

CREATE TABLE dunning_snapshot_account (
    account_id       INT UNSIGNED NOT NULL,
    level_no         TINYINT UNSIGNED NOT NULL COMMENT 'v_dunning.level_no when taken',
    amount_overdue   DECIMAL(14,2) NOT NULL COMMENT 'v_dunning.amount_overdue when taken',
    oldest_due_date  DATE NOT NULL COMMENT 'v_dunning.oldest_due_date when taken',
    PRIMARY KEY (account_id),
    KEY ix_dunning_snapshot_account_order (level_no DESC, amount_overdue DESC, account_id),
    CONSTRAINT ck_dunning_snapshot_level CHECK (level_no <= 3),
    CONSTRAINT ck_dunning_snapshot_amount CHECK (amount_overdue > 0)
) ENGINE=InnoDB;

DELETE FROM dunning_snapshot;
