-- account_discount_count_delete: takes a deleted assignment out of its discount's count in
-- discount_assignment_count (migration 0120; read by v_staff_discount.assignments). No
-- procedure deletes assignments; this keeps the count right for whoever does.
-- Errors: none of its own.
-- Example: DELETE FROM account_discount WHERE account_discount_id = 7;
CREATE TRIGGER account_discount_count_delete AFTER DELETE ON account_discount
FOR EACH ROW
UPDATE discount_assignment_count SET assignments = assignments - 1
 WHERE discount_id = OLD.discount_id
