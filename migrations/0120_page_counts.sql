-- Counts the tariffs page shows, kept instead of counted on every read (issue 24 §4):
-- - tariff_open_account: each tariff's open accounts (v_staff_tariff_version.accounts) were
--   counted from the account table, 0.7 s at 1M accounts (every account of the tariff through
--   ix_account_tariff, then its row for closed_on), and every page that lists the tariffs (the
--   tariffs page, the new account form's tariff choice, the reports' tariff filter, the version
--   form) read that view. Kept by the triggers account_open_count_insert, _update, _delete.
-- - discount_assignment_count: each discount's account_discount rows (v_staff_discount.
--   assignments, the tariffs page's discount table), 17-40 ms at 1M (233,766 rows). Kept by the
--   triggers account_discount_count_insert, _update, _delete.
-- No index makes such a count cheap: it reads an entry per account. The triggers write in the
-- transaction that inserts, updates or deletes the row, so the kept number is always the count
-- the views used to compute (tests/db/test_page_counts.py).
--
-- Locking: a tariff's (a discount's) row is locked from the account's (the assignment's) insert
-- or update to its commit. open_account is serialized already (the gapless account number,
-- _next_number); close_account updates the account, assign_discount inserts the assignment as
-- its last statement. No other statement locks these rows, so no lock order changes; two
-- sessions assigning the same discount wait for each other's commit (on a Galera cluster, one
-- of two such commits on different nodes at once gets a deadlock error, 1213).
-- A row that exists before the triggers do (this migration runs before the routines are
-- deployed, the last step of the same yoyo apply): counted here; an upgrade is made with the
-- web app and jobs stopped (docs/operations.md), so no account is opened or closed between.
-- Example: SELECT open_accounts FROM tariff_open_account WHERE tariff_id = 1;
--          SELECT assignments FROM discount_assignment_count WHERE discount_id = 1;
CREATE TABLE tariff_open_account (
  tariff_id     INT UNSIGNED NOT NULL,
  open_accounts INT NOT NULL COMMENT 'accounts of the tariff with closed_on NULL',
  PRIMARY KEY (tariff_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO tariff_open_account (tariff_id, open_accounts)
SELECT tariff_id, SUM(closed_on IS NULL) FROM account GROUP BY tariff_id;

CREATE TABLE discount_assignment_count (
  discount_id INT UNSIGNED NOT NULL,
  assignments INT NOT NULL COMMENT 'account_discount rows of the discount',
  PRIMARY KEY (discount_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO discount_assignment_count (discount_id, assignments)
SELECT discount_id, COUNT(*) FROM account_discount GROUP BY discount_id;
