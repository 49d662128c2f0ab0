-- queue_reminders: writes the day's reminder and dunning notices into the outbox (run daily).
--
-- For every bill with money open (bill.open_due_date: not cancelled, amount_paid < total), with
-- the days of its account's tariff (dunning_setting of that tariff, else the global row, which
-- this procedure creates with 3 days before, 1, 14 and 28 days after when it is missing):
--   due_soon      as_of is within due_soon_days before the due date (due - N <= as_of < due)
--   overdue_1, overdue_2, final_notice  as_of is at least that many days after the due date;
--                 only the highest level reached is written (a level skipped because the job
--                 did not run that day is not sent late: the customer gets the current one)
-- Each bill gets each kind at most once (notice unique (bill_id, kind)); running it again, or
-- two runs at once, writes nothing twice. A customer without e-mail or who opted out of
-- reminders gets the row as 'skipped' with the reason (_notice_skip_reason).
-- Parameters
--   p_as_of  the day assessed (usually today); not after today
--   p_actor  who acts, e.g. 'batch:reminders'
-- Result (one row): due_soon, overdue_1, overdue_2, final_notice (notices written per kind, skipped
--   ones included)
-- Errors: 45002 as_of missing or after today, empty actor.
-- Locks: the global dunning_setting row (runs take turns); bills and accounts are read without
-- locks (READ COMMITTED for this transaction, unless the binary log is statement-based), so
-- a payment committed meanwhile may leave a reminder for a bill paid a moment ago (the next
-- day's run sees it paid). The notice rows' foreign keys share-lock their customer, account and
-- bill: they are share-locked before the INSERT ... SELECT, which then holds the notice table's
-- AUTO-INC lock without waiting for a row. One transaction, set-based: the day's kind per bill,
-- the rows locked, then one INSERT ... SELECT.
-- Arguments arrive as LONGTEXT and are converted at the top of the body (_arg_*).
-- Example: CALL queue_reminders(CURRENT_DATE, 'batch:reminders');
CREATE PROCEDURE queue_reminders(IN p_as_of LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_as_of DATE DEFAULT _arg_date(p_as_of, 'as_of');
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_due_soon INT DEFAULT 0;
    DECLARE v_overdue_1 INT DEFAULT 0;
    DECLARE v_overdue_2 INT DEFAULT 0;
    DECLARE v_final INT DEFAULT 0;
    DECLARE v_horizon INT;
    DECLARE v_locked INT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    IF v_as_of IS NULL THEN
        CALL _fail(45002, 'as_of is required');
    END IF;
    IF v_as_of > CURRENT_DATE THEN
        CALL _fail(45002, CONCAT('as_of ', v_as_of, ' is after today (', CURRENT_DATE, ')'));
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    SET @billing_actor = v_actor;

    -- READ COMMITTED: INSERT ... SELECT then reads bills and accounts without share locks (under
    -- REPEATABLE READ it would lock every open bill against payments until this commits). A
    -- statement-based binary log refuses InnoDB writes under READ COMMITTED (1665): there it
    -- stays REPEATABLE READ, as in run_billing.
    COMMIT;   -- SET TRANSACTION needs no transaction open (a caller without autocommit has one)
    IF NOT (@@GLOBAL.log_bin AND @@SESSION.sql_log_bin AND @@SESSION.binlog_format = 'STATEMENT') THEN
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    END IF;
    START TRANSACTION;
    -- one run at a time: the global settings row (written with the defaults 3, 1, 14, 28 days
    -- when there is none): a second run waits here, and its statements (each its own snapshot
    -- under READ COMMITTED) then see the first run's notices
    INSERT INTO dunning_setting (tariff_id, due_soon_days, overdue_1_days, overdue_2_days,
                                 final_notice_days)
    VALUES (NULL, 3, 1, 14, 28)
    ON DUPLICATE KEY UPDATE due_soon_days = due_soon_days;
    SELECT MAX(due_soon_days) INTO v_horizon FROM dunning_setting;   -- the furthest due date in view
    -- the open bills around their due date, with their kind of the day (NULL: none today)
    DROP TEMPORARY TABLE IF EXISTS qr_bill;
    CREATE TEMPORARY TABLE qr_bill (
        bill_id     INT UNSIGNED NOT NULL PRIMARY KEY,
        account_id  INT UNSIGNED NOT NULL,
        kind        VARCHAR(20)  NOT NULL
    ) ENGINE=MEMORY;
    INSERT INTO qr_bill (bill_id, account_id, kind)
    SELECT k.bill_id, k.account_id, k.kind
      FROM (SELECT b.bill_id, b.account_id,
                   CASE
                     WHEN v_as_of >= b.open_due_date + INTERVAL COALESCE(dt.final_notice_days, dg.final_notice_days) DAY
                       THEN 'final_notice'
                     WHEN v_as_of >= b.open_due_date + INTERVAL COALESCE(dt.overdue_2_days, dg.overdue_2_days) DAY
                       THEN 'overdue_2'
                     WHEN v_as_of >= b.open_due_date + INTERVAL COALESCE(dt.overdue_1_days, dg.overdue_1_days) DAY
                       THEN 'overdue_1'
                     WHEN v_as_of < b.open_due_date
                      AND v_as_of >= b.open_due_date - INTERVAL COALESCE(dt.due_soon_days, dg.due_soon_days) DAY
                       THEN 'due_soon'
                   END AS kind
              FROM bill b FORCE INDEX (ix_bill_open_due)
              JOIN account a ON a.account_id = b.account_id
              JOIN dunning_setting dg ON dg.tariff_key = 0
              LEFT JOIN dunning_setting dt ON dt.tariff_id = a.tariff_id
             WHERE b.open_due_date <= v_as_of + INTERVAL v_horizon DAY) k
     WHERE k.kind IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.bill_id = k.bill_id AND n.kind = k.kind)
     ORDER BY k.account_id, k.bill_id;

    -- the rows the notices' foreign keys share-lock, locked first: the INSERT ... SELECT below
    -- holds the notice table's AUTO-INC lock for the whole statement, and a foreign key check
    -- waiting there for an account held by a posting held up every other writer of a notice
    -- behind it (1467 or a lock wait timeout for postings on other accounts); waiting here, the
    -- run holds no such lock. In account order, each account before its bill, as the writers of
    -- money take them: qr_bill is read first, by a scan, which gives a MEMORY table's rows in the
    -- order they were written (account order, above).
    SELECT COUNT(*) INTO v_locked
      FROM qr_bill q
      STRAIGHT_JOIN account a ON a.account_id = q.account_id
      STRAIGHT_JOIN bill b ON b.bill_id = q.bill_id
      STRAIGHT_JOIN customer c ON c.customer_id = a.customer_id
      LOCK IN SHARE MODE;
    INSERT INTO notice (kind, customer_id, account_id, bill_id, status, skip_reason)
    SELECT s.kind, s.customer_id, s.account_id, s.bill_id,
           IF(s.reason IS NULL, 'pending', 'skipped'), s.reason
      FROM (SELECT q.kind, c.customer_id, q.account_id, q.bill_id,
                   _notice_skip_reason(q.kind, c.email, cp.email_bills, cp.email_reminders) AS reason
              FROM qr_bill q
              JOIN account a ON a.account_id = q.account_id
              JOIN customer c ON c.customer_id = a.customer_id
              LEFT JOIN contact_preference cp ON cp.customer_id = c.customer_id) s
     ORDER BY s.bill_id;

    SELECT COALESCE(SUM(kind = 'due_soon'), 0), COALESCE(SUM(kind = 'overdue_1'), 0),
           COALESCE(SUM(kind = 'overdue_2'), 0), COALESCE(SUM(kind = 'final_notice'), 0)
      INTO v_due_soon, v_overdue_1, v_overdue_2, v_final
      FROM qr_bill;
    COMMIT;
    DROP TEMPORARY TABLE IF EXISTS qr_bill;

    SELECT v_due_soon AS due_soon, v_overdue_1 AS overdue_1, v_overdue_2 AS overdue_2,
           v_final AS final_notice;
END
