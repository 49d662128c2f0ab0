-- meter_installation_audit_update: writes an audit_log row ('update') for every row of meter_installation an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is meter_installation_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   The generated column active_account_id is left out of the JSON.
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE meter_installation SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'meter_installation' AND action = 'update';
CREATE TRIGGER meter_installation_audit_update AFTER UPDATE ON meter_installation
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.meter_installation_id AS BINARY) <=> CAST(NEW.meter_installation_id AS BINARY)
       AND CAST(OLD.meter_id AS BINARY) <=> CAST(NEW.meter_id AS BINARY)
       AND CAST(OLD.account_id AS BINARY) <=> CAST(NEW.account_id AS BINARY)
       AND CAST(OLD.installed_on AS BINARY) <=> CAST(NEW.installed_on AS BINARY)
       AND CAST(OLD.initial_read AS BINARY) <=> CAST(NEW.initial_read AS BINARY)
       AND CAST(OLD.removed_on AS BINARY) <=> CAST(NEW.removed_on AS BINARY)
       AND CAST(OLD.created_at AS BINARY) <=> CAST(NEW.created_at AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('meter_installation', CAST(NEW.meter_installation_id AS CHAR), 'update',
                JSON_OBJECT(
                    'meter_installation_id', OLD.meter_installation_id,
                    'meter_id', OLD.meter_id,
                    'account_id', OLD.account_id,
                    'installed_on', OLD.installed_on,
                    'initial_read', OLD.initial_read,
                    'removed_on', OLD.removed_on,
                    'created_at', OLD.created_at),
                JSON_OBJECT(
                    'meter_installation_id', NEW.meter_installation_id,
                    'meter_id', NEW.meter_id,
                    'account_id', NEW.account_id,
                    'installed_on', NEW.installed_on,
                    'initial_read', NEW.initial_read,
                    'removed_on', NEW.removed_on,
                    'created_at', NEW.created_at),
                LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
                LEFT(USER(), 100));
    END IF;
END
