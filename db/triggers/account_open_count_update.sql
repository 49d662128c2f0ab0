-- account_open_count_update: keeps tariff_open_account (migration 0120; read by
-- v_staff_tariff_version.accounts) right when an account is closed, opened again or moved to
-- another tariff.
--
--   An account that was open and is no longer open on the same tariff (closed_on set, or
--   tariff_id changed) takes 1 from the old tariff's open_accounts; one that is open now and was
--   not open on this tariff adds 1 to the new tariff's (its row created when missing). Any other
--   update (an address) writes nothing. The rows stay locked until the transaction ends
--   (close_account: its commit, right after the update).
-- Errors: none of its own.
-- Example: CALL close_account(7, '2026-03-31', 'staff:ann');
--          SELECT open_accounts FROM tariff_open_account WHERE tariff_id = 1;
CREATE TRIGGER account_open_count_update AFTER UPDATE ON account
FOR EACH ROW
BEGIN
    IF OLD.closed_on IS NULL AND (NEW.closed_on IS NOT NULL OR NEW.tariff_id <> OLD.tariff_id) THEN
        UPDATE tariff_open_account SET open_accounts = open_accounts - 1
         WHERE tariff_id = OLD.tariff_id;
    END IF;
    IF NEW.closed_on IS NULL AND (OLD.closed_on IS NOT NULL OR NEW.tariff_id <> OLD.tariff_id) THEN
        INSERT INTO tariff_open_account (tariff_id, open_accounts)
        VALUES (NEW.tariff_id, 1)
        ON DUPLICATE KEY UPDATE open_accounts = open_accounts + 1;
    END IF;
END
