-- account_audit_delete: writes an audit_log row ('delete') for every row deleted from account.
--
--   old_values holds all columns of the deleted row, new_values is NULL;
--   row_key is account_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; DELETE FROM account WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'account' AND action = 'delete';
CREATE TRIGGER account_audit_delete AFTER DELETE ON account
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('account', CAST(OLD.account_id AS CHAR), 'delete',
        JSON_OBJECT(
            'account_id', OLD.account_id,
            'account_no', OLD.account_no,
            'customer_id', OLD.customer_id,
            'tariff_id', OLD.tariff_id,
            'service_address', OLD.service_address,
            'opened_on', OLD.opened_on,
            'closed_on', OLD.closed_on,
            'created_at', OLD.created_at),
        NULL,
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
