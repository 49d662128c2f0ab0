-- _allocate_payment: allocates a payment's unallocated money to its account's open bills
-- (internal helper of post_payment and of the billing engine).
--
-- The caller has started the transaction and holds the locks: the account row, then the
-- account's bills. This helper has no transaction control and returns no result set, so it can
-- run inside any caller's transaction. It locks the payment row (FOR UPDATE) and reads the bills
-- again with a locking read, so the amounts come from the latest committed values whatever the
-- age of the caller's snapshot. The rebate line's line_no comes from a plain read (no gap locks
-- on bill_line): the caller should take its first plain read after locking the account, else a
-- line committed in between makes the number collide (a duplicate-key error, never a wrong sum).
--
-- Rules (../shared/spec/billing-rules.md, "Payments"): the money left on the payment
-- (amount - amount_allocated, only while status = 'posted') goes to the open bills
-- (cancelled_at IS NULL AND amount_paid < total_amount) in order of due_date, then bill_id.
-- For each bill: needed = total_amount - amount_paid, less rebate_amount R when the rebate is
-- available on p_on (p_on <= rebate_date, rebate_granted = 0, R > 0, and more than R still open);
-- alloc = min(remaining, needed). When alloc = needed and the rebate was available, the rebate is
-- granted: bill line 'rebate' -R, total_amount -= R, rebate_granted = 1, ledger credit -R
-- (entry_type 'rebate', entry_date p_on); the bill is then paid. Money left after the last open
-- bill stays on the payment as account credit.
--
-- Set-based: the plan (one row per bill that gets money) is computed once with a window running
-- sum, kept as JSON in a variable, and applied by one INSERT into payment_allocation, one INSERT
-- each of rebate lines and rebate ledger credits, one UPDATE of bill and one UPDATE of payment.
-- The JSON variable only carries the plan between those statements: it lets each of them read
-- the plan without reading (and so locking ranges of) the tables again.
--
-- Parameters
--   p_payment_id  the payment to allocate; nothing happens when it is unknown, reversed or
--                 fully allocated
--   p_on          the payment date for the rebate rule: DATE(paid_at) in post_payment, the
--                 issue date when the billing engine allocates credit to a new bill
--   p_actor       who acts, for the ledger rows
-- Result: none (no result set). Errors: none of its own; a server error propagates to the caller.
-- Example (inside the caller's transaction, after locking the account and its bills):
--   CALL _allocate_payment(42, '2026-03-15', 'staff:alice');
CREATE PROCEDURE _allocate_payment(IN p_payment_id INT UNSIGNED, IN p_on DATE,
                                   IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
    COMMENT 'Allocates a payment''s unallocated money to the open bills (internal)'
BEGIN
    DECLARE v_account_id INT UNSIGNED;
    DECLARE v_remaining DECIMAL(12,2);
    DECLARE v_bills JSON;
    DECLARE v_plan JSON;
    DECLARE v_allocated DECIMAL(12,2);

    -- the payment, locked (lock order: account, bills, then payments; the caller holds the first two)
    SELECT MAX(account_id), MAX(amount - amount_allocated)
      INTO v_account_id, v_remaining
      FROM payment
     WHERE payment_id = p_payment_id AND status = 'posted'
       FOR UPDATE;

    IF v_remaining > 0 THEN
        -- the open bills with what each still needs, by a locking read (latest committed values)
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
         WHERE account_id = v_account_id
           AND cancelled_at IS NULL
           AND amount_paid < total_amount
           FOR UPDATE;

        -- the plan: a running sum of what the bills need, in due date then bill id order; a bill
        -- gets min(needed, what is left after the bills before it); rebate = R when it is granted.
        -- The rebate line's number is the bill's next line_no (plain read: the bill is locked, so
        -- no one else adds lines to it).
        SELECT JSON_ARRAYAGG(JSON_OBJECT(
                   'seq', a.seq,
                   'bill_id', a.bill_id,
                   'alloc', CAST(a.alloc AS CHAR),
                   'rebate', CAST(IF(a.alloc = a.needed, a.rebate, 0) AS CHAR),
                   'line_no', IF(a.alloc = a.needed AND a.rebate > 0,
                                 (SELECT COALESCE(MAX(l.line_no), 0) + 1
                                    FROM bill_line l WHERE l.bill_id = a.bill_id), NULL))),
               SUM(a.alloc)
          INTO v_plan, v_allocated
          FROM (SELECT b.bill_id, b.rebate, b.needed, ROW_NUMBER() OVER (ORDER BY b.due_date, b.bill_id) AS seq,
                       LEAST(b.needed, v_remaining - (SUM(b.needed) OVER w - b.needed)) AS alloc
                  FROM (SELECT j.bill_id, j.due_date, j.rebate, j.open_amount - j.rebate AS needed
                          FROM JSON_TABLE(v_bills, '$[*]' COLUMNS (
                                   bill_id INT UNSIGNED PATH '$.bill_id',
                                   due_date DATE PATH '$.due_date',
                                   open_amount DECIMAL(12,2) PATH '$.open_amount',
                                   rebate DECIMAL(12,2) PATH '$.rebate')) j) b
                WINDOW w AS (ORDER BY b.due_date, b.bill_id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) a
         WHERE a.alloc > 0;

        IF v_plan IS NOT NULL THEN
            INSERT INTO payment_allocation (payment_id, bill_id, amount)
            SELECT p_payment_id, p.bill_id, p.alloc
              FROM JSON_TABLE(v_plan, '$[*]' COLUMNS (
                       seq INT PATH '$.seq',
                       bill_id INT UNSIGNED PATH '$.bill_id',
                       alloc DECIMAL(12,2) PATH '$.alloc')) p
             ORDER BY p.seq;

            -- rebates granted: the bill line and the ledger credit
            INSERT INTO bill_line (bill_id, line_no, kind, description, amount)
            SELECT p.bill_id, p.line_no, 'rebate', 'Early-payment rebate', -p.rebate
              FROM JSON_TABLE(v_plan, '$[*]' COLUMNS (
                       bill_id INT UNSIGNED PATH '$.bill_id',
                       rebate DECIMAL(12,2) PATH '$.rebate',
                       line_no SMALLINT UNSIGNED PATH '$.line_no')) p
             WHERE p.rebate > 0;

            INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
            SELECT v_account_id, 'rebate', -p.rebate, p.bill_id, p_on, p_actor
              FROM JSON_TABLE(v_plan, '$[*]' COLUMNS (
                       seq INT PATH '$.seq',
                       bill_id INT UNSIGNED PATH '$.bill_id',
                       rebate DECIMAL(12,2) PATH '$.rebate')) p
             WHERE p.rebate > 0
             ORDER BY p.seq;

            -- the bills' cached totals: paid up by the allocation, total down by a granted rebate
            -- (one statement per row, so amount_paid <= total_amount holds when the row is checked).
            -- STRAIGHT_JOIN: the plan first, then each bill by its id (never a scan that locks
            -- other accounts' bills)
            UPDATE JSON_TABLE(v_plan, '$[*]' COLUMNS (
                       bill_id INT UNSIGNED PATH '$.bill_id',
                       alloc DECIMAL(12,2) PATH '$.alloc',
                       rebate DECIMAL(12,2) PATH '$.rebate')) p
              STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = p.bill_id
               SET b.amount_paid = b.amount_paid + p.alloc,
                   b.total_amount = b.total_amount - p.rebate,
                   b.rebate_granted = IF(p.rebate > 0, 1, b.rebate_granted);

            UPDATE payment
               SET amount_allocated = amount_allocated + v_allocated
             WHERE payment_id = p_payment_id;
        END IF;
    END IF;
END
