-- _post_batch_segment: posts a run of consecutive plain lines of a payment batch set-based,
-- inside the caller's transaction (internal helper of post_payment_batch).
--
-- The lines are batch_window's rows p_first..p_last, all plain: each is the only line of the
-- chunk for its account and for its idempotency key, its key was not used before, its account
-- is open, and its values are valid in their plain form (post_payment_batch says how it
-- decides). Such a line's outcome depends on no other line of the chunk, so the segment is
-- posted in a dozen statements whatever its length, each writing the rows that post_payment
-- called line by line in line order would write, in that order: payments, ledger entries,
-- allocations, rebate lines, bill totals, the reports' deltas (the segment's payments by day and
-- method, its rebates by month and tariff version: migration 0121), notices, posting positions,
-- audit events, outcomes.
-- The allocation is _allocation_plan's rule for each line at once (a window partitioned by
-- line): open bills by due_date, bill_id; needed = open - the rebate available on the payment
-- day; alloc = min(what is left, needed); the rebate granted when alloc = needed.
--
-- The caller has started the transaction and locked every account of the chunk (in account id
-- order). This procedure locks the segment's open bills (by uk_bill_account_period, each
-- account's own bills only), then writes.
--
-- Parameters
--   p_batch_id         the batch
--   p_first, p_last    the segment's first and last line numbers
--   p_actor            who posts (payments' posted_by, ledger and audit actor)
--   p_posted           OUT: 1 when posted; 0 when a key was taken meanwhile by a payment
--                      committed by another session (the INSERT of the payments failed with
--                      1062 and wrote nothing): the caller then posts these lines one by one
-- Result: none. Errors: a server error propagates (the caller rolls the chunk back).
-- Example: CALL _post_batch_segment(3, 1, 1000, 'batch:lockbox', @posted);
CREATE PROCEDURE _post_batch_segment(IN p_batch_id INT UNSIGNED, IN p_first INT UNSIGNED,
                                     IN p_last INT UNSIGNED, IN p_actor VARCHAR(100),
                                     OUT p_posted TINYINT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_posted_at DATETIME DEFAULT NOW();
    DECLARE v_locked INT UNSIGNED;
    DECLARE v_duplicate TINYINT DEFAULT 0;

    -- the segment's open bills, locked (the contract's order: the accounts are held already)
    SELECT COUNT(*) INTO v_locked
      FROM batch_window w
      STRAIGHT_JOIN bill b FORCE INDEX (uk_bill_account_period) ON b.account_id = w.account_id
     WHERE w.line_no BETWEEN p_first AND p_last
       AND b.cancelled_at IS NULL AND b.amount_paid < b.total_amount
       FOR UPDATE;

    -- the plan: _allocation_plan's rule, every line at once
    DELETE FROM batch_alloc;
    INSERT INTO batch_alloc (line_no, seq, account_id, bill_id, alloc, rebate, rebate_line_no,
                             paid_on)
    SELECT a.line_no, a.seq, a.account_id, a.bill_id, a.alloc,
           IF(a.alloc = a.needed, a.rebate, 0),
           IF(a.alloc = a.needed AND a.rebate > 0,
              (SELECT COALESCE(MAX(l.line_no), 0) + 1 FROM bill_line l WHERE l.bill_id = a.bill_id),
              NULL),
           a.paid_on
      FROM (SELECT o.line_no, o.account_id, o.bill_id, o.rebate, o.open_amount - o.rebate AS needed,
                   o.paid_on,
                   ROW_NUMBER() OVER (PARTITION BY o.line_no ORDER BY o.due_date, o.bill_id) AS seq,
                   LEAST(o.open_amount - o.rebate,
                         o.amount - (SUM(o.open_amount - o.rebate) OVER w
                                     - (o.open_amount - o.rebate))) AS alloc
              FROM (SELECT w.line_no, w.account_id, w.amount, DATE(w.paid_at) AS paid_on,
                           b.bill_id, b.due_date, b.total_amount - b.amount_paid AS open_amount,
                           IF(DATE(w.paid_at) <= b.rebate_date AND b.rebate_granted = 0
                              AND b.rebate_amount > 0
                              AND b.total_amount - b.amount_paid > b.rebate_amount,
                              b.rebate_amount, 0) AS rebate
                      FROM batch_window w
                      STRAIGHT_JOIN bill b FORCE INDEX (uk_bill_account_period)
                        ON b.account_id = w.account_id
                     WHERE w.line_no BETWEEN p_first AND p_last
                       AND b.cancelled_at IS NULL AND b.amount_paid < b.total_amount) o
            WINDOW w AS (PARTITION BY o.line_no ORDER BY o.due_date, o.bill_id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) a
     WHERE a.alloc > 0;

    -- the payments, in line order (so their ids, and the receipt numbers, follow it)
    BEGIN
        DECLARE CONTINUE HANDLER FOR 1062 SET v_duplicate = 1;
        INSERT INTO payment (account_id, amount, method, paid_at, posted_at, idempotency_key,
                             amount_allocated, posted_by)
        SELECT w.account_id, w.amount, w.method, w.paid_at, v_posted_at, w.pay_key,
               COALESCE(s.allocated, 0), p_actor
          FROM batch_window w
          LEFT JOIN (SELECT line_no, SUM(alloc) AS allocated FROM batch_alloc
                      GROUP BY line_no) s ON s.line_no = w.line_no
         WHERE w.line_no BETWEEN p_first AND p_last
         ORDER BY w.line_no;
    END;
    IF v_duplicate = 1 THEN
        SET p_posted = 0;
    ELSE
        UPDATE batch_window w
          STRAIGHT_JOIN payment p FORCE INDEX (uk_payment_key) ON p.idempotency_key = w.pay_key
           SET w.payment_id = p.payment_id, w.allocated = p.amount_allocated
         WHERE w.line_no BETWEEN p_first AND p_last;
        UPDATE batch_alloc a JOIN batch_window w ON w.line_no = a.line_no
           SET a.payment_id = w.payment_id;

        -- per line: its payment's entry, then its rebates' (as post_payment then
        -- _apply_allocation write them)
        INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, payment_id, entry_date,
                                  actor)
        SELECT e.account_id, e.entry_type, e.amount, e.bill_id, e.payment_id, e.entry_date, p_actor
          FROM (SELECT w.line_no, 0 AS seq, w.account_id, 'payment' AS entry_type,
                       -w.amount AS amount, CAST(NULL AS UNSIGNED) AS bill_id, w.payment_id,
                       DATE(w.paid_at) AS entry_date
                  FROM batch_window w
                 WHERE w.line_no BETWEEN p_first AND p_last
                UNION ALL
                SELECT a.line_no, a.seq, a.account_id, 'rebate', -a.rebate, a.bill_id, NULL,
                       a.paid_on
                  FROM batch_alloc a
                 WHERE a.rebate > 0) e
         ORDER BY e.line_no, e.seq;

        INSERT INTO payment_allocation (payment_id, bill_id, amount)
        SELECT a.payment_id, a.bill_id, a.alloc FROM batch_alloc a ORDER BY a.line_no, a.seq;

        INSERT INTO bill_line (bill_id, line_no, kind, description, amount)
        SELECT a.bill_id, a.rebate_line_no, 'rebate', 'Early-payment rebate', -a.rebate
          FROM batch_alloc a
         WHERE a.rebate > 0;

        -- each bill once (one line per account): paid up, total down by a granted rebate
        UPDATE batch_alloc a
          STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = a.bill_id
           SET b.amount_paid = b.amount_paid + a.alloc,
               b.total_amount = b.total_amount - a.rebate,
               b.rebate_granted = IF(a.rebate > 0, 1, b.rebate_granted);

        -- the reports' figures (migration 0121): the segment's payments by day and method, and
        -- its granted rebates by the month and tariff version of their bills, as post_payment and
        -- _apply_allocation append them
        INSERT INTO report_collections_part (day, cashier, method, payments, amount)
        SELECT r.day, p_actor, r.method, COUNT(*), SUM(r.amount)
          FROM (SELECT DATE(w.paid_at) AS day, w.method, w.amount
                  FROM batch_window w
                 WHERE w.line_no BETWEEN p_first AND p_last) r
         GROUP BY r.day, r.method;
        INSERT INTO report_revenue_part (month_start, tariff_version_id, rebate_amount,
                                          total_billed)
        SELECT r.month_start, r.tariff_version_id, -SUM(r.rebate), -SUM(r.rebate)
          FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
                       b.tariff_version_id, a.rebate
                  FROM batch_alloc a
                  STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = a.bill_id
                 WHERE a.rebate > 0 AND b.cancelled_at IS NULL) r
         GROUP BY r.month_start, r.tariff_version_id;

        -- _queue_notice's row for each payment
        INSERT INTO notice (kind, customer_id, account_id, bill_id, payment_id, refund_id,
                            status, skip_reason)
        SELECT 'payment_received', s.customer_id, s.account_id, NULL, s.payment_id, NULL,
               IF(s.reason IS NULL, 'pending', 'skipped'), s.reason
          FROM (SELECT w.line_no, w.payment_id, c.customer_id, a.account_id,
                       _notice_skip_reason('payment_received', c.email, cp.email_bills,
                                           cp.email_reminders) AS reason
                  FROM batch_window w
                  STRAIGHT_JOIN account a FORCE INDEX (PRIMARY) ON a.account_id = w.account_id
                  JOIN customer c ON c.customer_id = a.customer_id
                  LEFT JOIN contact_preference cp ON cp.customer_id = c.customer_id
                 WHERE w.line_no BETWEEN p_first AND p_last) s
         ORDER BY s.line_no;

        -- where each posting ends in the append-only rows (read by v_receipt), as post_payment
        -- records it: the account's last entry (its own, the account is locked) and the
        -- payment's last allocation
        INSERT INTO payment_posting (payment_id, last_allocation_id, last_entry_id)
        SELECT w.payment_id,
               (SELECT MAX(pa.allocation_id) FROM payment_allocation pa
                 WHERE pa.payment_id = w.payment_id),
               (SELECT e.entry_id FROM ledger_entry e FORCE INDEX (ix_ledger_account)
                 WHERE e.account_id = w.account_id
                 ORDER BY e.entry_id DESC LIMIT 1)    -- one index entry, not the account's history
          FROM batch_window w
         WHERE w.line_no BETWEEN p_first AND p_last
         ORDER BY w.line_no;

        -- _audit's row for each payment, with _post_batch_line's detail
        INSERT INTO audit_log (table_name, row_key, account_id, action, old_values, new_values,
                               actor, db_user)
        SELECT 'payment', CAST(w.payment_id AS CHAR), w.account_id, 'payment_posted', NULL,
               JSON_OBJECT('amount', w.amount, 'method', w.method, 'paid_at', w.paid_at,
                           'idempotency_key', w.pay_key, 'allocated', w.allocated,
                           'batch_id', p_batch_id, 'line_no', w.line_no),
               LEFT(p_actor, 100), LEFT(USER(), 100)
          FROM batch_window w
         WHERE w.line_no BETWEEN p_first AND p_last
         ORDER BY w.line_no;

        UPDATE payment_batch_line l
          JOIN batch_window w ON l.batch_id = p_batch_id AND l.line_no = w.line_no
           SET l.outcome = 'posted', l.payment_id = w.payment_id, l.done_at = v_posted_at
         WHERE w.line_no BETWEEN p_first AND p_last;
        SET p_posted = 1;
    END IF;
END
