-- claim_notices: hands a sender the next notices to deliver (the outbox's read side).
--
-- A notice is due when it is 'pending', its next_attempt_at has come, and nobody holds it: never
-- claimed, or claimed more than 10 minutes ago without a mark_notice (the sender died). The
-- oldest due notices are locked with FOR UPDATE SKIP LOCKED (several senders at once never wait
-- on nor take each other's rows), stamped claimed_by/claimed_at and a claim token, committed,
-- then returned. The status stays 'pending' until mark_notice.
-- Parameters
--   p_sender  the sender's name (e.g. host:pid), recorded in claimed_by; 1..100 characters
--   p_limit   how many at most, 1..1000
-- Result: one row per claimed notice (possibly none): notice_id, kind, customer_id, email,
--   account_id, bill_id, payment_id, refund_id (email: the customer's address now)
-- Errors: 45002 empty sender, limit outside 1..1000.
-- Why a cursor: SKIP LOCKED belongs to a top-level locking SELECT, and the rows it locked must
-- then be stamped; a cursor over that SELECT (at most p_limit rows) is the form both MariaDB and
-- MySQL accept (an UPDATE ... LIMIT cannot skip locked rows). The ids it claimed go to a
-- temporary table (cn_claimed) that the result reads by primary key: the notice table has no
-- index on claim_token (migration 0110: every index costs each bill of a billing run).
-- Example: CALL claim_notices('mail1:4242', 50);
CREATE PROCEDURE claim_notices(IN p_sender LONGTEXT,
                               IN p_limit LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_sender VARCHAR(100) DEFAULT _arg_text(p_sender, 'sender', 100);
    DECLARE v_limit INT DEFAULT _arg_int(p_limit, 'limit', 1, 1000, 45002);
    DECLARE v_token CHAR(36) DEFAULT UUID();
    DECLARE v_now DATETIME DEFAULT NOW();
    DECLARE v_id BIGINT UNSIGNED;
    DECLARE v_done TINYINT DEFAULT 0;
    DECLARE c_due CURSOR FOR
        SELECT notice_id FROM notice FORCE INDEX (ix_notice_due)
         WHERE status = 'pending' AND next_attempt_at <= v_now
           AND (claimed_at IS NULL OR claimed_at < v_now - INTERVAL 10 MINUTE)
         ORDER BY next_attempt_at, notice_id
         LIMIT v_limit
         FOR UPDATE SKIP LOCKED;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF _is_blank(v_sender) THEN
        CALL _fail(45002, 'sender is required');
    END IF;
    IF v_limit IS NULL THEN
        CALL _fail(45002, 'limit is required (1..1000)');
    END IF;

    DROP TEMPORARY TABLE IF EXISTS cn_claimed;
    CREATE TEMPORARY TABLE cn_claimed (notice_id BIGINT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=MEMORY;
    START TRANSACTION;
    OPEN c_due;
    claim_loop: LOOP
        FETCH c_due INTO v_id;
        IF v_done = 1 THEN LEAVE claim_loop; END IF;
        UPDATE notice SET claimed_by = v_sender, claimed_at = v_now, claim_token = v_token
         WHERE notice_id = v_id;
        INSERT INTO cn_claimed (notice_id) VALUES (v_id);
    END LOOP;
    CLOSE c_due;
    COMMIT;

    SELECT n.notice_id, n.kind, n.customer_id, c.email, n.account_id, n.bill_id, n.payment_id,
           n.refund_id
      FROM cn_claimed k
      JOIN notice n ON n.notice_id = k.notice_id
      JOIN customer c ON c.customer_id = n.customer_id
     ORDER BY n.notice_id;
    DROP TEMPORARY TABLE cn_claimed;
END
