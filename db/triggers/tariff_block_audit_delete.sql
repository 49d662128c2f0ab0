-- tariff_block_audit_delete: writes an audit_log row ('delete') for every row deleted from tariff_block.
--
--   old_values holds all columns of the deleted row, new_values is NULL;
--   row_key is tariff_version_id and block_no as 'version_id:block_no';
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; DELETE FROM tariff_block WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'tariff_block' AND action = 'delete';
CREATE TRIGGER tariff_block_audit_delete AFTER DELETE ON tariff_block
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('tariff_block', CONCAT(OLD.tariff_version_id, ':', OLD.block_no), 'delete',
        JSON_OBJECT(
            'tariff_version_id', OLD.tariff_version_id,
            'block_no', OLD.block_no,
            'up_to_kwh', OLD.up_to_kwh,
            'rate', OLD.rate),
        NULL,
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
