-- tariff_audit_update: writes an audit_log row ('update') for every row of tariff an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is tariff_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE tariff SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'tariff' AND action = 'update';
CREATE TRIGGER tariff_audit_update AFTER UPDATE ON tariff
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.tariff_id AS BINARY) <=> CAST(NEW.tariff_id AS BINARY)
       AND CAST(OLD.code AS BINARY) <=> CAST(NEW.code AS BINARY)
       AND CAST(OLD.name AS BINARY) <=> CAST(NEW.name AS BINARY)
       AND CAST(OLD.created_at AS BINARY) <=> CAST(NEW.created_at AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('tariff', CAST(NEW.tariff_id AS CHAR), 'update',
                JSON_OBJECT(
                    'tariff_id', OLD.tariff_id,
                    'code', OLD.code,
                    'name', OLD.name,
                    'created_at', OLD.created_at),
                JSON_OBJECT(
                    'tariff_id', NEW.tariff_id,
                    'code', NEW.code,
                    'name', NEW.name,
                    'created_at', NEW.created_at),
                LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
                LEFT(USER(), 100));
    END IF;
END
