-- retry_notice: sends a notice that failed for good once more (back office; not in the contract).
--
-- The notice goes back to 'pending', due now, with its attempts counted from 0 again (the
-- backoff of mark_notice starts over); last_error keeps the last failure until the next mark.
-- Parameters
--   p_notice_id  the notice (status 'failed')
--   p_actor      who acts (staff:<username>), 1..100 characters
-- Result (one row): notice_id, status ('pending')
-- Errors: 45001 no such notice; 45002 no notice id, blank actor; 45003 the notice is not 'failed'.
-- Locks: the notice row.
-- Example: CALL retry_notice(42, 'staff:ann');
CREATE PROCEDURE retry_notice(IN p_notice_id LONGTEXT,
                              IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_notice_id BIGINT UNSIGNED
        DEFAULT _arg_int(p_notice_id, 'notice_id', 0, 9223372036854775807, 45001);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_status VARCHAR(20);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_notice_id IS NULL THEN
        CALL _fail(45002, 'notice_id is required');
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    SELECT status INTO v_status FROM notice WHERE notice_id = v_notice_id FOR UPDATE;
    IF v_status IS NULL THEN
        CALL _fail(45001, CONCAT('no notice with id ', v_notice_id));
    END IF;
    IF v_status <> 'failed' THEN
        CALL _fail(45003, CONCAT('notice ', v_notice_id, ' is ', v_status, ', not failed'));
    END IF;
    UPDATE notice
       SET status = 'pending', attempts = 0, next_attempt_at = NOW(),
           claimed_by = NULL, claimed_at = NULL, claim_token = NULL
     WHERE notice_id = v_notice_id;
    COMMIT;

    SELECT v_notice_id AS notice_id, 'pending' AS status;
END
