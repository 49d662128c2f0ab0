-- tariff_block_audit_update: writes an audit_log row ('update') for every row of tariff_block an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is tariff_version_id and block_no as 'version_id:block_no';
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE tariff_block SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'tariff_block' AND action = 'update';
CREATE TRIGGER tariff_block_audit_update AFTER UPDATE ON tariff_block
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.tariff_version_id AS BINARY) <=> CAST(NEW.tariff_version_id AS BINARY)
       AND CAST(OLD.block_no AS BINARY) <=> CAST(NEW.block_no AS BINARY)
       AND CAST(OLD.up_to_kwh AS BINARY) <=> CAST(NEW.up_to_kwh AS BINARY)
       AND CAST(OLD.rate AS BINARY) <=> CAST(NEW.rate AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('tariff_block', CONCAT(NEW.tariff_version_id, ':', NEW.block_no), 'update',
                JSON_OBJECT(
                    'tariff_version_id', OLD.tariff_version_id,
                    'block_no', OLD.block_no,
                    'up_to_kwh', OLD.up_to_kwh,
                    'rate', OLD.rate),
                JSON_OBJECT(
                    'tariff_version_id', NEW.tariff_version_id,
                    'block_no', NEW.block_no,
                    'up_to_kwh', NEW.up_to_kwh,
                    'rate', NEW.rate),
                LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
                LEFT(USER(), 100));
    END IF;
END
