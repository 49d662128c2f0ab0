-- meter_installation_audit_delete: writes an audit_log row ('delete') for every row deleted from meter_installation.
--
--   old_values holds all columns of the deleted row, new_values is NULL;
--   row_key is meter_installation_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   The generated column active_account_id is left out of the JSON.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; DELETE FROM meter_installation WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'meter_installation' AND action = 'delete';
CREATE TRIGGER meter_installation_audit_delete AFTER DELETE ON meter_installation
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('meter_installation', CAST(OLD.meter_installation_id AS CHAR), 'delete',
        JSON_OBJECT(
            'meter_installation_id', OLD.meter_installation_id,
            'meter_id', OLD.meter_id,
            'account_id', OLD.account_id,
            'installed_on', OLD.installed_on,
            'initial_read', OLD.initial_read,
            'removed_on', OLD.removed_on,
            'created_at', OLD.created_at),
        NULL,
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
