-- The tariffs page (issue 24 §4; v_staff_tariff_version.accounts): each tariff's open accounts
-- were counted from the account table on every read, 0.7 s at 1M accounts (every account of
-- the tariff through ix_account_tariff, then its row for closed_on), and every page that lists
-- the tariffs (the tariffs page, the new account form's tariff choice, the reports' tariff
-- filter, the version form) read the view. No index makes that count cheap: it reads an entry
-- per open account. So the count is kept: one row per tariff with the number of its accounts
-- whose closed_on is NULL, written by the triggers account_open_count_insert, _update and
-- _delete (db/triggers/) in the transaction that opens, closes or moves an account, so it is
-- always the count the view used to compute (tests/db/test_tariff_open_account.py).
--
-- Locking: the row of a tariff is locked from the account's insert or update to its commit.
-- open_account is serialized already (the gapless account number, _next_number); close_account
-- updates the account as its last statement. No other statement locks these rows, so no lock
-- order changes.
-- An account that exists before the triggers do (this migration runs before the routines are
-- deployed, the last step of the same yoyo apply): counted here; an upgrade is made with the
-- web app and jobs stopped (docs/operations.md), so no account is opened or closed between.
-- Example: SELECT open_accounts FROM tariff_open_account WHERE tariff_id = 1;
CREATE TABLE tariff_open_account (
  tariff_id     INT UNSIGNED NOT NULL,
  open_accounts INT NOT NULL COMMENT 'accounts of the tariff with closed_on NULL',
  PRIMARY KEY (tariff_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO tariff_open_account (tariff_id, open_accounts)
SELECT tariff_id, SUM(closed_on IS NULL) FROM account GROUP BY tariff_id;
