-- account_audit_insert: writes an audit_log row ('insert') for every row inserted into account.
--
--   new_values holds all columns of the new row, old_values is NULL;
--   row_key is account_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; INSERT INTO account ...;
--          SELECT * FROM audit_log WHERE table_name = 'account' AND action = 'insert';
CREATE TRIGGER account_audit_insert AFTER INSERT ON account
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('account', CAST(NEW.account_id AS CHAR), 'insert', NULL,
        JSON_OBJECT(
            'account_id', NEW.account_id,
            'account_no', NEW.account_no,
            'customer_id', NEW.customer_id,
            'tariff_id', NEW.tariff_id,
            'service_address', NEW.service_address,
            'opened_on', NEW.opened_on,
            'closed_on', NEW.closed_on,
            'created_at', NEW.created_at),
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
