-- _allocation_plan: how money paid into an account goes to its open bills (internal helper of
-- _allocate_payment, post_payment when a rebate is on offer, and _post_batch_line). Reads,
-- writes nothing.
--
-- The caller has started the transaction and holds the account row's lock. This helper reads
-- the account's open bills (cancelled_at IS NULL AND amount_paid < total_amount) with a locking
-- read through uk_bill_account_period, which locks every bill of this account it scans and no
-- other account's, and so reads the latest committed amounts whatever the age of the caller's
-- snapshot.
--
-- Rules (../shared/spec/billing-rules.md, "Payments"): the money goes to the open bills in order
-- of due_date, then bill_id. For each bill: needed = total_amount - amount_paid, less the rebate
-- R when it is available on p_on (p_on <= rebate_date, rebate_granted = 0, R > 0, and more than
-- R still open); alloc = min(remaining, needed); when alloc = needed and the rebate was
-- available, the rebate is granted.
--
-- Set-based: the bills are read once into JSON (the locking read), and the plan is one
-- statement with a window running sum over them. The rebate line's number is the bill's next
-- line_no (plain read: the bill is locked, so no one else adds lines to it; the caller should
-- take its first plain read after locking the account, else a line committed in between makes
-- the number collide: a duplicate-key error, never a wrong sum).
--
-- Parameters
--   p_account_id  the account
--   p_remaining   the money to place (> 0)
--   p_on          the payment date for the rebate rule
--   p_plan        OUT: JSON array, one object per bill that gets money, in allocation order:
--                 seq, bill_id, alloc, rebate (R when granted, else 0), line_no (the rebate
--                 line's number, NULL when no rebate); NULL when nothing is open
--   p_allocated   OUT: the sum of alloc (NULL when nothing is open)
--   p_rebates     OUT: how many rebates the plan grants
-- Result: none (no result set; OUT parameters, this is internal). Errors: none of its own.
-- Example: CALL _allocation_plan(7, 120.50, '2026-03-15', @plan, @allocated, @rebates);
CREATE PROCEDURE _allocation_plan(IN p_account_id INT UNSIGNED, IN p_remaining DECIMAL(12,2),
                                  IN p_on DATE, OUT p_plan JSON, OUT p_allocated DECIMAL(12,2),
                                  OUT p_rebates INT)
    SQL SECURITY DEFINER
    READS SQL DATA
BEGIN
    DECLARE v_bills JSON;

    SELECT JSON_ARRAYAGG(JSON_OBJECT(
               'bill_id', bill_id,
               'due_date', due_date,
               'open_amount', CAST(total_amount - amount_paid AS CHAR),
               'rebate', CAST(IF(p_on <= rebate_date AND rebate_granted = 0
                                 AND rebate_amount > 0
                                 AND total_amount - amount_paid > rebate_amount,
                                 rebate_amount, 0) AS CHAR)))
      INTO v_bills
      FROM bill FORCE INDEX (uk_bill_account_period)   -- lock this account's bills only
     WHERE account_id = p_account_id
       AND cancelled_at IS NULL
       AND amount_paid < total_amount
       FOR UPDATE;

    SET p_plan = NULL, p_allocated = NULL, p_rebates = 0;
    IF v_bills IS NOT NULL THEN
        SELECT JSON_ARRAYAGG(JSON_OBJECT(
                   'seq', a.seq,
                   'bill_id', a.bill_id,
                   'alloc', CAST(a.alloc AS CHAR),
                   'rebate', CAST(IF(a.alloc = a.needed, a.rebate, 0) AS CHAR),
                   'line_no', IF(a.alloc = a.needed AND a.rebate > 0,
                                 (SELECT COALESCE(MAX(l.line_no), 0) + 1
                                    FROM bill_line l WHERE l.bill_id = a.bill_id), NULL))),
               SUM(a.alloc),
               SUM(a.alloc = a.needed AND a.rebate > 0)
          INTO p_plan, p_allocated, p_rebates
          FROM (SELECT b.bill_id, b.rebate, b.needed, ROW_NUMBER() OVER (ORDER BY b.due_date, b.bill_id) AS seq,
                       LEAST(b.needed, p_remaining - (SUM(b.needed) OVER w - b.needed)) AS alloc
                  FROM (SELECT j.bill_id, j.due_date, j.rebate, j.open_amount - j.rebate AS needed
                          FROM JSON_TABLE(v_bills, '$[*]' COLUMNS (
                                   bill_id INT UNSIGNED PATH '$.bill_id',
                                   due_date DATE PATH '$.due_date',
                                   open_amount DECIMAL(12,2) PATH '$.open_amount',
                                   rebate DECIMAL(12,2) PATH '$.rebate')) j) b
                WINDOW w AS (ORDER BY b.due_date, b.bill_id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) a
         WHERE a.alloc > 0;
    END IF;
END
