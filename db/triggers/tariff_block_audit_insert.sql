-- tariff_block_audit_insert: writes an audit_log row ('insert') for every row inserted into tariff_block.
--
--   new_values holds all columns of the new row, old_values is NULL;
--   row_key is tariff_version_id and block_no as 'version_id:block_no';
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; INSERT INTO tariff_block ...;
--          SELECT * FROM audit_log WHERE table_name = 'tariff_block' AND action = 'insert';
CREATE TRIGGER tariff_block_audit_insert AFTER INSERT ON tariff_block
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('tariff_block', CONCAT(NEW.tariff_version_id, ':', NEW.block_no), 'insert', NULL,
        JSON_OBJECT(
            'tariff_version_id', NEW.tariff_version_id,
            'block_no', NEW.block_no,
            'up_to_kwh', NEW.up_to_kwh,
            'rate', NEW.rate),
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
