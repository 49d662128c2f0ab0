-- meter_audit_insert: writes an audit_log row ('insert') for every row inserted into meter.
--
--   new_values holds all columns of the new row, old_values is NULL;
--   row_key is meter_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; INSERT INTO meter ...;
--          SELECT * FROM audit_log WHERE table_name = 'meter' AND action = 'insert';
CREATE TRIGGER meter_audit_insert AFTER INSERT ON meter
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('meter', CAST(NEW.meter_id AS CHAR), 'insert', NULL,
        JSON_OBJECT(
            'meter_id', NEW.meter_id,
            'serial_no', NEW.serial_no,
            'dial_digits', NEW.dial_digits,
            'multiplier', NEW.multiplier,
            'created_at', NEW.created_at),
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
