-- tariff_version_audit_insert: writes an audit_log row ('insert') for every row inserted into tariff_version.
--
--   new_values holds all columns of the new row, old_values is NULL;
--   row_key is tariff_version_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; INSERT INTO tariff_version ...;
--          SELECT * FROM audit_log WHERE table_name = 'tariff_version' AND action = 'insert';
CREATE TRIGGER tariff_version_audit_insert AFTER INSERT ON tariff_version
FOR EACH ROW
INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
VALUES ('tariff_version', CAST(NEW.tariff_version_id AS CHAR), 'insert', NULL,
        JSON_OBJECT(
            'tariff_version_id', NEW.tariff_version_id,
            'tariff_id', NEW.tariff_id,
            'effective_from', NEW.effective_from,
            'fixed_charge', NEW.fixed_charge,
            'tax_rate_pct', NEW.tax_rate_pct,
            'late_fee_pct', NEW.late_fee_pct,
            'early_pay_pct', NEW.early_pay_pct,
            'early_pay_days', NEW.early_pay_days,
            'created_at', NEW.created_at),
        LEFT(COALESCE(NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
        LEFT(USER(), 100))
