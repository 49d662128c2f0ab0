-- set_contact_preferences: records how a customer wants to be told (issue 23).
--
-- Parameters
--   p_customer_id      the customer
--   p_email_bills      1/0: bills (bill_issued, final_bill) by e-mail
--   p_email_reminders  1/0: due_soon and the dunning levels by e-mail
--   p_paperless        1/0: no paper bill is printed
--   p_actor            who acts, required
-- Result: one row (customer_id).
-- Errors: 45001 no such customer; 45002 a flag that is not 0 or 1, an empty actor.
-- Notices written before the change keep their status; later ones follow the new choice.
-- Payment and refund notices are sent whenever there is an address (_notice_skip_reason).
-- Arguments arrive as LONGTEXT and are converted at the top of the body (_arg_*).
-- Example: CALL set_contact_preferences(7, 1, 0, 1, 'customer:C000007');
CREATE PROCEDURE set_contact_preferences(IN p_customer_id LONGTEXT,
                                         IN p_email_bills LONGTEXT,
                                         IN p_email_reminders LONGTEXT,
                                         IN p_paperless LONGTEXT,
                                         IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_customer_id INT UNSIGNED
        DEFAULT _arg_int(p_customer_id, 'customer_id', 0, 4294967295, 45001);
    DECLARE v_email_bills INT DEFAULT _arg_int(p_email_bills, 'email_bills', 0, 1, 45002);
    DECLARE v_email_reminders INT DEFAULT _arg_int(p_email_reminders, 'email_reminders', 0, 1, 45002);
    DECLARE v_paperless INT DEFAULT _arg_int(p_paperless, 'paperless', 0, 1, 45002);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_found INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_customer_id IS NULL THEN
        CALL _fail(45002, 'customer_id is required');
    END IF;
    IF v_email_bills IS NULL OR v_email_reminders IS NULL OR v_paperless IS NULL THEN
        CALL _fail(45002, 'email_bills, email_reminders and paperless are required (0 or 1)');
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    SELECT customer_id INTO v_found FROM customer WHERE customer_id = v_customer_id FOR UPDATE;
    IF v_found IS NULL THEN
        CALL _fail(45001, CONCAT('no customer with id ', v_customer_id));
    END IF;
    INSERT INTO contact_preference (customer_id, email_bills, email_reminders, paperless, updated_by)
    VALUES (v_customer_id, v_email_bills, v_email_reminders, v_paperless, v_actor)
    ON DUPLICATE KEY UPDATE email_bills = v_email_bills, email_reminders = v_email_reminders,
                            paperless = v_paperless, updated_by = v_actor;
    COMMIT;

    SELECT v_customer_id AS customer_id;
END
