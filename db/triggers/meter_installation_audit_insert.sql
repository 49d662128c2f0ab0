-- meter_installation_audit_insert: writes an audit_log row ('insert') for every row inserted into meter_installation.
--
--   new_values holds all columns of the new row, old_values is NULL;
--   row_key is meter_installation_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   The generated column active_account_id is left out of the JSON.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; INSERT INTO meter_installation ...;
--          SELECT * FROM audit_log WHERE table_name = 'meter_installation' AND action = 'insert';
CREATE TRIGGER meter_installation_audit_insert AFTER INSERT ON meter_installation
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('meter_installation', CAST(NEW.meter_installation_id AS CHAR), 'insert', NULL,
        JSON_OBJECT(
            'meter_installation_id', NEW.meter_installation_id,
            'meter_id', NEW.meter_id,
            'account_id', NEW.account_id,
            'installed_on', NEW.installed_on,
            'initial_read', NEW.initial_read,
            'removed_on', NEW.removed_on,
            'created_at', NEW.created_at),
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
