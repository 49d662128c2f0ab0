-- meter_audit_update: writes an audit_log row ('update') for every row of meter an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is meter_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE meter SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'meter' AND action = 'update';
CREATE TRIGGER meter_audit_update AFTER UPDATE ON meter
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.meter_id AS BINARY) <=> CAST(NEW.meter_id AS BINARY)
       AND CAST(OLD.serial_no AS BINARY) <=> CAST(NEW.serial_no AS BINARY)
       AND CAST(OLD.dial_digits AS BINARY) <=> CAST(NEW.dial_digits AS BINARY)
       AND CAST(OLD.multiplier AS BINARY) <=> CAST(NEW.multiplier AS BINARY)
       AND CAST(OLD.created_at AS BINARY) <=> CAST(NEW.created_at AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('meter', CAST(NEW.meter_id AS CHAR), 'update',
                JSON_OBJECT(
                    'meter_id', OLD.meter_id,
                    'serial_no', OLD.serial_no,
                    'dial_digits', OLD.dial_digits,
                    'multiplier', OLD.multiplier,
                    'created_at', OLD.created_at),
                JSON_OBJECT(
                    'meter_id', NEW.meter_id,
                    'serial_no', NEW.serial_no,
                    'dial_digits', NEW.dial_digits,
                    'multiplier', NEW.multiplier,
                    'created_at', NEW.created_at),
                LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
                LEFT(USER(), 100));
    END IF;
END
