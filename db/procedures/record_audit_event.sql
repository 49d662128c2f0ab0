-- record_audit_event: the web app's way to put an event of its own into the audit trail (not
-- in the contract; billing_app gets EXECUTE on it like on every public procedure, and still no
-- privilege on audit_log). For what happens outside the procedures: a portal login issued, a
-- set-password link sent, a charge left to reconcile.
--
-- Parameters
--   p_action   portal_... or web_..., then lower-case letters, digits and '_', at most 40
--              characters (e.g. portal_login_issued): the procedures' own events (payment_...,
--              billing_run_...) cannot be written from outside
--   p_object   what it concerns (e.g. customer, portal_login), 1 to 64 of [a-z0-9_]
--   p_key      its id as text (e.g. the customer_id), 1 to 64 characters
--   p_detail   a JSON object with the details (NULL for none)
--   p_actor    who acts (staff:<username>, customer:<customer_no>, ...), 1 to 100 characters
-- Result (one row): audit_id
-- Errors: 45002 an action outside portal_/web_, a bad object, key or actor, detail that is not
--   a JSON object. When p_object is customer or account, p_key must name an existing one
--   (45001 otherwise), and the row is filed under that account (customer: none); its key is
--   stored as the id's plain digits ('007' as '7'), the text the triggers write, by which
--   v_audit_subject finds the customer's rows.
-- Example:
--   CALL record_audit_event('portal_login_issued', 'customer', '7',
--                           '{"username": "C0000007"}', 'staff:ann');
CREATE PROCEDURE record_audit_event(IN p_action LONGTEXT, IN p_object LONGTEXT,
                                    IN p_key LONGTEXT, IN p_detail LONGTEXT,
                                    IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_action VARCHAR(40);
    DECLARE v_object VARCHAR(64);
    DECLARE v_key VARCHAR(64);
    DECLARE v_detail LONGTEXT;
    DECLARE v_actor VARCHAR(100);
    DECLARE v_account_id INT UNSIGNED;
    DECLARE v_found INT;

    -- conversions first: every argument is checked before anything is written
    SET v_action = _arg_text(p_action, 'action', 40),
        v_object = _arg_text(p_object, 'object', 64),
        v_key = _arg_text(p_key, 'key', 64),
        v_detail = p_detail,
        v_actor = _arg_text(p_actor, 'actor', 100);
    -- (portable REGEXP: the operator, a binary collation, and "no character outside the
    -- class" rather than '^...$', whose '$' would match before a final newline)
    IF v_action IS NULL OR NOT (v_action COLLATE utf8mb4_bin REGEXP '^(portal|web)_[a-z0-9_]')
       OR v_action COLLATE utf8mb4_bin REGEXP '[^a-z0-9_]' THEN
        CALL _fail(45002, 'action must be portal_... or web_... of [a-z0-9_], at most 40 characters');
    END IF;
    IF _is_blank(v_object) OR v_object COLLATE utf8mb4_bin REGEXP '[^a-z0-9_]' THEN
        CALL _fail(45002, 'object must be 1 to 64 of [a-z0-9_]');
    END IF;
    IF _is_blank(v_key) THEN
        CALL _fail(45002, 'key is required');
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    -- (JSON_TYPE only on valid JSON: MySQL signals on anything else, so not in one OR)
    IF v_detail IS NOT NULL AND JSON_VALID(v_detail) = 0 THEN
        CALL _fail(45002, 'detail must be a JSON object or NULL');
    ELSEIF v_detail IS NOT NULL AND JSON_TYPE(v_detail) <> 'OBJECT' THEN
        CALL _fail(45002, 'detail must be a JSON object or NULL');
    END IF;
    IF v_object IN ('customer', 'account')
       AND (v_key COLLATE utf8mb4_bin REGEXP '[^0-9]' OR CHAR_LENGTH(v_key) > 10) THEN
        CALL _fail(45001, CONCAT('no ', v_object, ' with id ', LEFT(v_key, 20)));
    END IF;
    IF v_object = 'customer' THEN
        SELECT COUNT(*) INTO v_found FROM customer WHERE customer_id = CAST(v_key AS UNSIGNED);
        IF v_found = 0 THEN
            CALL _fail(45001, CONCAT('no customer with id ', LEFT(v_key, 64)));
        END IF;
    ELSEIF v_object = 'account' THEN
        SELECT MAX(account_id) INTO v_account_id FROM account
         WHERE account_id = CAST(v_key AS UNSIGNED);
        IF v_account_id IS NULL THEN
            CALL _fail(45001, CONCAT('no account with id ', LEFT(v_key, 64)));
        END IF;
    END IF;

    IF v_object IN ('customer', 'account') THEN
        SET v_key = CAST(CAST(v_key AS UNSIGNED) AS CHAR);
    END IF;
    CALL _audit(v_action, v_object, v_key, v_account_id, v_detail, v_actor);
    SELECT LAST_INSERT_ID() AS audit_id;
END
