-- Parallel billing runs (issue 24 §1; ../shared/spec/sql-api.md, start_billing_run /
-- work_billing_run; docs/billing-runs.md).
--
-- billing_run_candidate: the accounts a run considers, read once by start_billing_run (as
-- run_billing always chose them) and numbered into chunks there: chunk_no 0, 1, ... in
-- account_id order, each of the run's chunk size (1% of the accounts, at most 10,000, or the
-- session's @billing_chunk_size). Written once, never changed: a worker reads its chunk's
-- accounts by the primary key prefix (run_id, chunk_no).
--
-- billing_run_chunk: one row per chunk, the unit a worker claims (SELECT ... FOR UPDATE SKIP
-- LOCKED) and bills in one transaction. status 'pending' until the transaction that billed it
-- commits it 'done' (with the bills it created, when and by whom). A claim is the row lock of
-- that transaction, nothing stored: a worker that dies rolls back and the chunk is pending and
-- unlocked again.
--
-- billing_run.chunks_total / chunks_done: the transaction of each chunk adds 1 to chunks_done
-- under the run row's lock; the one that reaches chunks_total completes the run.
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.

ALTER TABLE billing_run
  ADD COLUMN chunks_total INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'chunks of the run (billing_run_chunk)' AFTER accounts_skipped,
  ADD COLUMN chunks_done  INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'chunks committed' AFTER chunks_total;

CREATE TABLE billing_run_candidate (
  run_id     INT UNSIGNED NOT NULL,
  chunk_no   INT UNSIGNED NOT NULL,
  account_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (run_id, chunk_no, account_id),
  CONSTRAINT fk_candidate_run FOREIGN KEY (run_id) REFERENCES billing_run (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE billing_run_chunk (
  run_id           INT UNSIGNED NOT NULL,
  chunk_no         INT UNSIGNED NOT NULL,
  first_account_id INT UNSIGNED NOT NULL,
  last_account_id  INT UNSIGNED NOT NULL,
  accounts         INT UNSIGNED NOT NULL,
  status           ENUM('pending','done') NOT NULL DEFAULT 'pending',
  bills_created    INT UNSIGNED NULL,
  done_at          DATETIME     NULL,
  done_by          VARCHAR(100) NULL COMMENT 'actor of the work_billing_run call that billed it',
  done_connection  BIGINT UNSIGNED NULL COMMENT 'CONNECTION_ID() of that session',
  PRIMARY KEY (run_id, chunk_no),
  CONSTRAINT fk_chunk_run FOREIGN KEY (run_id) REFERENCES billing_run (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
