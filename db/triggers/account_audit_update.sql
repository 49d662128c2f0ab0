-- account_audit_update: writes an audit_log row ('update') for every row of account an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is account_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE account SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'account' AND action = 'update';
CREATE TRIGGER account_audit_update AFTER UPDATE ON account
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.account_id AS BINARY) <=> CAST(NEW.account_id AS BINARY)
       AND CAST(OLD.account_no AS BINARY) <=> CAST(NEW.account_no AS BINARY)
       AND CAST(OLD.customer_id AS BINARY) <=> CAST(NEW.customer_id AS BINARY)
       AND CAST(OLD.tariff_id AS BINARY) <=> CAST(NEW.tariff_id AS BINARY)
       AND CAST(OLD.service_address AS BINARY) <=> CAST(NEW.service_address AS BINARY)
       AND CAST(OLD.opened_on AS BINARY) <=> CAST(NEW.opened_on AS BINARY)
       AND CAST(OLD.closed_on AS BINARY) <=> CAST(NEW.closed_on AS BINARY)
       AND CAST(OLD.created_at AS BINARY) <=> CAST(NEW.created_at AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('account', CAST(NEW.account_id AS CHAR), 'update',
                JSON_OBJECT(
                    'account_id', OLD.account_id,
                    'account_no', OLD.account_no,
                    'customer_id', OLD.customer_id,
                    'tariff_id', OLD.tariff_id,
                    'service_address', OLD.service_address,
                    'opened_on', OLD.opened_on,
                    'closed_on', OLD.closed_on,
                    'created_at', OLD.created_at),
                JSON_OBJECT(
                    'account_id', NEW.account_id,
                    'account_no', NEW.account_no,
                    'customer_id', NEW.customer_id,
                    'tariff_id', NEW.tariff_id,
                    'service_address', NEW.service_address,
                    'opened_on', NEW.opened_on,
                    'closed_on', NEW.closed_on,
                    'created_at', NEW.created_at),
                LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
                LEFT(USER(), 100));
    END IF;
END
