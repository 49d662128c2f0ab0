-- account_open_count_insert: counts a new open account in its tariff's tariff_open_account row
-- (migration 0120; read by v_staff_tariff_version.accounts, the tariffs page).
--
--   An account inserted open (closed_on NULL) adds 1 to its tariff's open_accounts; the row is
--   created at the first account of the tariff (an account inserted closed creates it with 0).
--   The row stays locked until the inserting transaction ends (open_account: its commit).
-- Errors: none of its own.
-- Example: CALL open_account(7, 'RES', '1 Main St', '2026-01-01', 'staff:ann');
--          SELECT open_accounts FROM tariff_open_account WHERE tariff_id = 1;
CREATE TRIGGER account_open_count_insert AFTER INSERT ON account
FOR EACH ROW
INSERT INTO tariff_open_account (tariff_id, open_accounts)
VALUES (NEW.tariff_id, IF(NEW.closed_on IS NULL, 1, 0))
ON DUPLICATE KEY UPDATE open_accounts = open_accounts + IF(NEW.closed_on IS NULL, 1, 0)
