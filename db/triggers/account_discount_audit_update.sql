-- account_discount_audit_update: writes an audit_log row ('update') for every row of account_discount an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is account_discount_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE account_discount SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'account_discount' AND action = 'update';
CREATE TRIGGER account_discount_audit_update AFTER UPDATE ON account_discount
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.account_discount_id AS BINARY) <=> CAST(NEW.account_discount_id AS BINARY)
       AND CAST(OLD.account_id AS BINARY) <=> CAST(NEW.account_id AS BINARY)
       AND CAST(OLD.discount_id AS BINARY) <=> CAST(NEW.discount_id AS BINARY)
       AND CAST(OLD.valid_from AS BINARY) <=> CAST(NEW.valid_from AS BINARY)
       AND CAST(OLD.valid_to AS BINARY) <=> CAST(NEW.valid_to AS BINARY)
       AND CAST(OLD.created_at AS BINARY) <=> CAST(NEW.created_at AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('account_discount', CAST(NEW.account_discount_id AS CHAR), 'update',
                JSON_OBJECT(
                    'account_discount_id', OLD.account_discount_id,
                    'account_id', OLD.account_id,
                    'discount_id', OLD.discount_id,
                    'valid_from', OLD.valid_from,
                    'valid_to', OLD.valid_to,
                    'created_at', OLD.created_at),
                JSON_OBJECT(
                    'account_discount_id', NEW.account_discount_id,
                    'account_id', NEW.account_id,
                    'discount_id', NEW.discount_id,
                    'valid_from', NEW.valid_from,
                    'valid_to', NEW.valid_to,
                    'created_at', NEW.created_at),
                LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
                LEFT(USER(), 100));
    END IF;
END
