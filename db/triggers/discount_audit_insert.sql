-- discount_audit_insert: writes an audit_log row ('insert') for every row inserted into discount.
--
--   new_values holds all columns of the new row, old_values is NULL;
--   row_key is discount_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; INSERT INTO discount ...;
--          SELECT * FROM audit_log WHERE table_name = 'discount' AND action = 'insert';
CREATE TRIGGER discount_audit_insert AFTER INSERT ON discount
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('discount', CAST(NEW.discount_id AS CHAR), 'insert', NULL,
        JSON_OBJECT(
            'discount_id', NEW.discount_id,
            'code', NEW.code,
            'name', NEW.name,
            'pct', NEW.pct,
            'created_at', NEW.created_at),
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
