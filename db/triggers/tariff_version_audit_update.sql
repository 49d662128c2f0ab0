-- tariff_version_audit_update: writes an audit_log row ('update') for every row of tariff_version an UPDATE changes.
--
--   old_values and new_values hold all columns before and after;
--   row_key is tariff_version_id as text;
--   actor is @billing_actor (set by the procedures) or 'db:<session user>' for direct SQL;
--   db_user is the session's USER() (who connected; CURRENT_USER() here would be the
--   trigger's definer, the schema owner).
--   A row the UPDATE leaves exactly as it was writes nothing. Columns are compared as bytes
--   (CAST AS BINARY), so a change only in letter case or trailing spaces, which the
--   case-insensitive collation would call equal, is still recorded.
-- Errors: none of its own.
-- Example: SET @billing_actor = 'staff:ann'; UPDATE tariff_version SET ... WHERE ...;
--          SELECT * FROM audit_log WHERE table_name = 'tariff_version' AND action = 'update';
CREATE TRIGGER tariff_version_audit_update AFTER UPDATE ON tariff_version
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.tariff_version_id AS BINARY) <=> CAST(NEW.tariff_version_id AS BINARY)
       AND CAST(OLD.tariff_id AS BINARY) <=> CAST(NEW.tariff_id AS BINARY)
       AND CAST(OLD.effective_from AS BINARY) <=> CAST(NEW.effective_from AS BINARY)
       AND CAST(OLD.fixed_charge AS BINARY) <=> CAST(NEW.fixed_charge AS BINARY)
       AND CAST(OLD.tax_rate_pct AS BINARY) <=> CAST(NEW.tax_rate_pct AS BINARY)
       AND CAST(OLD.late_fee_pct AS BINARY) <=> CAST(NEW.late_fee_pct AS BINARY)
       AND CAST(OLD.early_pay_pct AS BINARY) <=> CAST(NEW.early_pay_pct AS BINARY)
       AND CAST(OLD.early_pay_days AS BINARY) <=> CAST(NEW.early_pay_days AS BINARY)
       AND CAST(OLD.created_at AS BINARY) <=> CAST(NEW.created_at AS BINARY)) THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, actor, db_user)
        VALUES ('tariff_version', CAST(NEW.tariff_version_id AS CHAR), 'update',
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
                LEFT(USER(), 100));
    END IF;
END
