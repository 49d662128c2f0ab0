-- v_staff_discount: the discounts and how many accounts hold each (a helper view of the staff
-- back office, not part of the contract; see docs/backoffice.md).
--
-- Columns: discount_id, code, name, pct, created_at, assignments (account_discount rows)
-- Example: SELECT * FROM v_staff_discount ORDER BY code;
CREATE VIEW v_staff_discount AS
SELECT d.discount_id, d.code, d.name, d.pct, d.created_at,
       CAST((SELECT COUNT(*) FROM account_discount ad WHERE ad.discount_id = d.discount_id)
            AS UNSIGNED) AS assignments
  FROM discount d
