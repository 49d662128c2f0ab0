-- v_audit_log: the audit trail with the customer each change concerns (a helper view of the
-- staff back office, not part of the contract; see docs/backoffice.md).
--
-- Columns
--   audit_id, changed_at, actor, table_name, row_key, action (insert, update, delete)
--   old_values, new_values   the row before / after, as JSON text (NULL for insert / delete)
--   customer_id              the customer the changed row belongs to: the customer itself, the
--                            account's customer (account, account_discount, meter_installation,
--                            and a meter through its installation); NULL for tariffs, discounts
--                            and meters never installed
-- Example: SELECT * FROM v_audit_log WHERE customer_id = 7 ORDER BY audit_id DESC LIMIT 50;
CREATE VIEW v_audit_log AS
SELECT l.audit_id, l.changed_at, l.actor, l.table_name, l.row_key, l.action,
       CAST(l.old_values AS CHAR) AS old_values,
       CAST(l.new_values AS CHAR) AS new_values,
       CASE l.table_name
            WHEN 'customer' THEN CAST(l.row_key AS UNSIGNED)
            WHEN 'account' THEN a.customer_id
            WHEN 'account_discount' THEN ada.customer_id
            WHEN 'meter_installation' THEN mia.customer_id
            WHEN 'meter' THEN ma.customer_id
       END AS customer_id
  FROM audit_log l
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
