-- v_staff_discount: the discounts and how many accounts hold each (a helper view of the staff
-- back office, not part of the contract; see docs/backoffice.md).
--
-- Columns: discount_id, code, name, pct, created_at, assignments (account_discount rows; read
--          from discount_assignment_count, kept by the account_discount_count_* triggers,
--          migration 0120: counting them took 17-40 ms at 1M accounts)
-- Example: SELECT * FROM v_staff_discount ORDER BY code;
CREATE VIEW v_staff_discount AS
SELECT d.discount_id, d.code, d.name, d.pct, d.created_at,
       CAST(COALESCE((SELECT n.assignments FROM discount_assignment_count n
                       WHERE n.discount_id = d.discount_id), 0) AS UNSIGNED) AS assignments
  FROM discount d
