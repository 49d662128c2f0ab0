-- account_open_count_delete: takes a deleted open account out of its tariff's count in
-- tariff_open_account (migration 0120; read by v_staff_tariff_version.accounts). No procedure
-- deletes accounts; this keeps the count right for whoever does (a DBA's clean-up).
-- Errors: none of its own.
-- Example: DELETE FROM account WHERE account_id = 7;
--          SELECT open_accounts FROM tariff_open_account WHERE tariff_id = 1;
CREATE TRIGGER account_open_count_delete AFTER DELETE ON account
FOR EACH ROW
UPDATE tariff_open_account SET open_accounts = open_accounts - IF(OLD.closed_on IS NULL, 1, 0)
 WHERE tariff_id = OLD.tariff_id
