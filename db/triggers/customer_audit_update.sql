-- customer_audit_update: writes an audit_log row ('update') for every row of customer an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is customer_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE customer SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'customer' AND action = 'update';
CREATE TRIGGER customer_audit_update AFTER UPDATE ON customer
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.customer_id AS BINARY) <=> CAST(NEW.customer_id AS BINARY)
       AND CAST(OLD.customer_no AS BINARY) <=> CAST(NEW.customer_no AS BINARY)
       AND CAST(OLD.full_name AS BINARY) <=> CAST(NEW.full_name AS BINARY)
       AND CAST(OLD.email AS BINARY) <=> CAST(NEW.email AS BINARY)
       AND CAST(OLD.phone AS BINARY) <=> CAST(NEW.phone AS BINARY)
       AND CAST(OLD.address AS BINARY) <=> CAST(NEW.address AS BINARY)
       AND CAST(OLD.created_at AS BINARY) <=> CAST(NEW.created_at AS BINARY)
       AND CAST(OLD.updated_at AS BINARY) <=> CAST(NEW.updated_at AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('customer', CAST(NEW.customer_id AS CHAR), 'update',
                JSON_OBJECT(
                    'customer_id', OLD.customer_id,
                    'customer_no', OLD.customer_no,
                    'full_name', OLD.full_name,
                    'email', OLD.email,
                    'phone', OLD.phone,
                    'address', OLD.address,
                    'created_at', OLD.created_at,
                    'updated_at', OLD.updated_at),
                JSON_OBJECT(
                    'customer_id', NEW.customer_id,
                    'customer_no', NEW.customer_no,
                    'full_name', NEW.full_name,
                    'email', NEW.email,
                    'phone', NEW.phone,
                    'address', NEW.address,
                    'created_at', NEW.created_at,
                    'updated_at', NEW.updated_at),
                LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
                LEFT(USER(), 100));
    END IF;
END
