-- customer_audit_insert: writes an audit_log row ('insert') for every row inserted into customer.
--
--   new_values holds all columns of the new row, old_values is NULL;
--   row_key is customer_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; INSERT INTO customer ...;
--          SELECT * FROM audit_log WHERE table_name = 'customer' AND action = 'insert';
CREATE TRIGGER customer_audit_insert AFTER INSERT ON customer
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('customer', CAST(NEW.customer_id AS CHAR), 'insert', NULL,
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
        LEFT(USER(), 100))
