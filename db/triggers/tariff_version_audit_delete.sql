-- tariff_version_audit_delete: writes an audit_log row ('delete') for every row deleted from tariff_version.
--
--   old_values holds all columns of the deleted row, new_values is NULL;
--   row_key is tariff_version_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; DELETE FROM tariff_version WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'tariff_version' AND action = 'delete';
CREATE TRIGGER tariff_version_audit_delete AFTER DELETE ON tariff_version
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('tariff_version', CAST(OLD.tariff_version_id AS CHAR), 'delete',
        JSON_OBJECT(
            'tariff_version_id', OLD.tariff_version_id,
            'tariff_id', OLD.tariff_id,
            'effective_from', OLD.effective_from,
            'fixed_charge', OLD.fixed_charge,
            'tax_rate_pct', OLD.tax_rate_pct,
            'late_fee_pct', OLD.late_fee_pct,
            'early_pay_pct', OLD.early_pay_pct,
            'early_pay_days', OLD.early_pay_days,
            'created_at', OLD.created_at),
        NULL,
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
