-- v_audit_log: the audit trail with the customer each change concerns (a helper view of the
-- staff back office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   audit_id, changed_at, table_name, row_key
--   action                   insert, update, delete (row triggers of master data) or an event of
--                            a procedure (payment_posted, payment_reversed, billing_run_started,
--                            ...; docs/routines.md, "The audit trail")
--   actor                    the application actor (staff:..., customer:..., batch:...), or
--                            'db:<user>' for a change by direct SQL
--   db_user                  the database session user (USER()) that made it; NULL before
--                            migration 0025
--   old_values, new_values   the row before / after, as JSON text (NULL for insert / delete);
--                            for an event, new_values is its detail (amount, reason, counts)
--   account_id               the account it concerns: the event's account, the account itself,
--                            or the account of an account_discount, installation or meter
--   customer_id              the customer it concerns: the customer itself, or the customer of
--                            that account; NULL for tariffs, discounts, meters never installed
--                            and run-wide events (billing runs, late-fee runs)
-- customer_id and account_id are computed per row: a filter on them alone reads the whole
-- trail (8-20 s at 1M accounts). Narrow it with v_audit_subject, which reaches a customer's or
-- an account's rows by index, and keep this view's filter (it decides: the same rows).
-- Example: SELECT * FROM v_audit_log WHERE customer_id = 7 AND audit_id IN
--            (SELECT audit_id FROM v_audit_subject WHERE customer_id = 7)
--          ORDER BY audit_id DESC LIMIT 50;
--          SELECT * FROM v_audit_log WHERE action = 'payment_reversed' AND account_id = 3;
CREATE VIEW v_audit_log AS
SELECT l.audit_id, l.changed_at, l.actor, l.db_user, l.table_name, l.row_key, l.action,
       CAST(l.old_values AS CHAR) AS old_values,
       CAST(l.new_values AS CHAR) AS new_values,
       COALESCE(l.account_id,
                CASE l.table_name
                     WHEN 'account' THEN a.account_id
                     WHEN 'account_discount' THEN ad.account_id
                     WHEN 'meter_installation' THEN mi.account_id
                     WHEN 'meter' THEN mm.account_id
                END) AS account_id,
       COALESCE(ea.customer_id,
                CASE l.table_name
                     WHEN 'customer' THEN CAST(l.row_key AS UNSIGNED)
                     WHEN 'account' THEN a.customer_id
                     WHEN 'account_discount' THEN ada.customer_id
                     WHEN 'meter_installation' THEN mia.customer_id
                     WHEN 'meter' THEN ma.customer_id
                END) AS customer_id
  FROM audit_log l
  LEFT JOIN account ea ON ea.account_id = l.account_id
  LEFT JOIN account a
         ON l.table_name = 'account' AND a.account_id = CAST(l.row_key AS UNSIGNED)
  LEFT JOIN account_discount ad
         ON l.table_name = 'account_discount'
        AND ad.account_discount_id = CAST(l.row_key AS UNSIGNED)
  LEFT JOIN account ada ON ada.account_id = ad.account_id
  LEFT JOIN meter_installation mi
         ON l.table_name = 'meter_installation'
        AND mi.meter_installation_id = CAST(l.row_key AS UNSIGNED)
  LEFT JOIN account mia ON mia.account_id = mi.account_id
  LEFT JOIN meter_installation mm
         ON l.table_name = 'meter' AND mm.meter_id = CAST(l.row_key AS UNSIGNED)
  LEFT JOIN account ma ON ma.account_id = mm.account_id
