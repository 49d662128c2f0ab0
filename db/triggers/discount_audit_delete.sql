-- discount_audit_delete: writes an audit_log row ('delete') for every row deleted from discount.
--
--   old_values holds all columns of the deleted row, new_values is NULL;
--   row_key is discount_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; DELETE FROM discount WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'discount' AND action = 'delete';
CREATE TRIGGER discount_audit_delete AFTER DELETE ON discount
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('discount', CAST(OLD.discount_id AS CHAR), 'delete',
        JSON_OBJECT(
            'discount_id', OLD.discount_id,
            'code', OLD.code,
            'name', OLD.name,
            'pct', OLD.pct,
            'created_at', OLD.created_at),
        NULL,
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
