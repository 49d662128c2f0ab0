-- account_discount_count_update: moves an assignment between the discounts' counts in
-- discount_assignment_count (migration 0120; read by v_staff_discount.assignments) when its
-- discount_id changes. No procedure changes it; this keeps the count right for whoever does.
-- Any other update (valid_to) writes nothing.
-- Errors: none of its own.
-- Example: UPDATE account_discount SET discount_id = 2 WHERE account_discount_id = 7;
CREATE TRIGGER account_discount_count_update AFTER UPDATE ON account_discount
FOR EACH ROW
BEGIN
    IF NEW.discount_id <> OLD.discount_id THEN
        UPDATE discount_assignment_count SET assignments = assignments - 1
         WHERE discount_id = OLD.discount_id;
        INSERT INTO discount_assignment_count (discount_id, assignments)
        VALUES (NEW.discount_id, 1)
        ON DUPLICATE KEY UPDATE assignments = assignments + 1;
    END IF;
END
