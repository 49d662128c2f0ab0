-- customer_audit_delete: writes an audit_log row ('delete') for every row deleted from customer.
--
--   old_values holds all columns of the deleted row, new_values is NULL;
--   row_key is customer_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; DELETE FROM customer WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'customer' AND action = 'delete';
CREATE TRIGGER customer_audit_delete AFTER DELETE ON customer
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('customer', CAST(OLD.customer_id AS CHAR), 'delete',
        JSON_OBJECT(
            'customer_id', OLD.customer_id,
            'customer_no', OLD.customer_no,
            'full_name', OLD.full_name,
            'email', OLD.email,
            'phone', OLD.phone,
            'address', OLD.address,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at),
        NULL,
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
