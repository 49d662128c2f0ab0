-- account_discount_count_insert: counts a new discount assignment in its discount's
-- discount_assignment_count row (migration 0120; read by v_staff_discount.assignments, the
-- tariffs page's discount table).
--
--   Adds 1 to the discount's assignments; the row is created at its first assignment. The row
--   stays locked until the inserting transaction ends (assign_discount: its commit).
-- Errors: none of its own.
-- Example: CALL assign_discount(7, 'SENIOR', '2026-01-01', NULL, 'staff:ann');
--          SELECT assignments FROM discount_assignment_count WHERE discount_id = 1;
CREATE TRIGGER account_discount_count_insert AFTER INSERT ON account_discount
FOR EACH ROW
INSERT INTO discount_assignment_count (discount_id, assignments)
VALUES (NEW.discount_id, 1)
ON DUPLICATE KEY UPDATE assignments = assignments + 1
