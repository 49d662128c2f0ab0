-- mark_notice: records what became of a claimed notice: sent, or failed (retried with backoff).
--
-- 'sent': status sent, sent_at now, the SMTP Message-ID kept; the claim is released. Marking a
-- notice that is already 'sent' again changes nothing (a sender may repeat its mark).
-- 'failed': attempts + 1 and last_error; below 6 attempts the notice stays 'pending' and is due
-- again after 2^attempts minutes (2, 4, 8, 16, 32); the 6th failure makes it 'failed' for good.
-- A failure reported for a notice that is already 'sent' (another sender delivered it after
-- this one's claim expired) changes nothing; nor does one reported by a sender whose claim
-- expired and was taken by another sender (the notice is that sender's to mark: counting the
-- stale failure would release its live claim, and a third sender would mail it again).
-- Parameters
--   p_notice_id   the notice
--   p_sender      who reports (as given to claim_notices)
--   p_status      'sent' or 'failed' (exactly, lower case)
--   p_message_id  the Message-ID of the sent mail (for 'sent'; at most 255 characters)
--   p_error       what went wrong (for 'failed'; cut at 1000 characters)
-- Result (one row): notice_id, status (the notice's status after the call)
-- Errors: 45001 no such notice; 45002 no notice id, bad status, blank sender; 45003 the notice is 'skipped'
--   or 'failed' for good, or it is pending and not claimed (there is nothing to mark: a
--   notice is marked after claim_notices handed it to a sender; the claim of another sender,
--   after this one's expired, still counts: the mail this sender reports did go out).
-- Locks: the notice row. Each call is its own short transaction: the sender marks a notice as
-- soon as the SMTP server answered it (docs/notices.md).
-- Example: CALL mark_notice(42, 'mail1:4242', 'sent', '<1.2@billing.example>', NULL);
CREATE PROCEDURE mark_notice(IN p_notice_id LONGTEXT,
                             IN p_sender LONGTEXT,
                             IN p_status LONGTEXT,
                             IN p_message_id LONGTEXT,
                             IN p_error LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_notice_id BIGINT UNSIGNED
        DEFAULT _arg_int(p_notice_id, 'notice_id', 0, 9223372036854775807, 45001);
    DECLARE v_sender VARCHAR(100) DEFAULT _arg_text(p_sender, 'sender', 100);
    DECLARE v_status VARCHAR(20) DEFAULT _arg_text(p_status, 'status', 20);
    DECLARE v_message_id VARCHAR(255) DEFAULT _arg_text(p_message_id, 'message_id', 255);
    DECLARE v_error LONGTEXT DEFAULT p_error;
    DECLARE v_current VARCHAR(20);
    DECLARE v_attempts INT;
    DECLARE v_claimed_at DATETIME;
    DECLARE v_claimed_by VARCHAR(100);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF _is_blank(v_sender) THEN
        CALL _fail(45002, 'sender is required');
    END IF;
    IF v_status IS NULL OR CAST(v_status AS BINARY) NOT IN ('sent', 'failed') THEN
        CALL _fail(45002, CONCAT('status must be sent or failed, not ',
                                  COALESCE(CONCAT('''', LEFT(v_status, 20), ''''), 'NULL')));
    END IF;
    IF v_notice_id IS NULL THEN
        CALL _fail(45002, 'notice_id is required');
    END IF;

    START TRANSACTION;
    SELECT status, attempts, claimed_at, claimed_by
      INTO v_current, v_attempts, v_claimed_at, v_claimed_by
      FROM notice WHERE notice_id = v_notice_id FOR UPDATE;
    IF v_current IS NULL THEN
        CALL _fail(45001, CONCAT('no notice with id ', v_notice_id));
    END IF;
    IF v_current IN ('skipped', 'failed') THEN
        CALL _fail(45003, CONCAT('notice ', v_notice_id, ' is ', v_current, ': nothing to mark'));
    END IF;
    IF v_current = 'pending' AND v_claimed_at IS NULL THEN
        CALL _fail(45003, CONCAT('notice ', v_notice_id,
                                  ' is not claimed: claim it with claim_notices first'));
    END IF;
    IF v_current = 'pending' AND v_status = 'sent' THEN
        UPDATE notice
           SET status = 'sent', sent_at = NOW(), message_id = v_message_id, last_error = NULL,
               claimed_by = v_sender, claimed_at = NULL, claim_token = NULL
         WHERE notice_id = v_notice_id;
    ELSEIF v_current = 'pending'
           AND CAST(v_claimed_by AS BINARY) = CAST(v_sender AS BINARY) THEN
        -- this sender's own claim (another's, taken after this one expired, is left alone)
        UPDATE notice
           SET attempts = v_attempts + 1,
               last_error = LEFT(COALESCE(v_error, 'unknown error'), 1000),
               status = IF(v_attempts + 1 >= 6, 'failed', 'pending'),
               next_attempt_at = NOW() + INTERVAL POW(2, LEAST(v_attempts + 1, 10)) MINUTE,
               claimed_by = NULL, claimed_at = NULL, claim_token = NULL
         WHERE notice_id = v_notice_id;
    END IF;
    SELECT status INTO v_current FROM notice WHERE notice_id = v_notice_id;
    COMMIT;

    SELECT v_notice_id AS notice_id, v_current AS status;
END
