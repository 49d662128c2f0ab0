-- _allocate_payment: allocates a payment's unallocated money to its account's open bills
-- (internal helper of reverse_payment and cancel_bill; post_payment plans and writes its new
-- payment's allocation with the same two helpers when a rebate is on offer; the billing engine
-- applies credit at issue set-based, by the same rule: _apply_credits).
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
-- (amount - amount_allocated - amount_refunded, only while status = 'posted') goes to the open bills
-- (cancelled_at IS NULL AND amount_paid < total_amount) in order of due_date, then bill_id.
-- For each bill: needed = total_amount - amount_paid, less rebate_amount R when the rebate is
-- available on p_on (p_on <= rebate_date, rebate_granted = 0, R > 0, and more than R still open);
-- alloc = min(remaining, needed). When alloc = needed and the rebate was available, the rebate is
-- granted: bill line 'rebate' -R, total_amount -= R, rebate_granted = 1, ledger credit -R
-- (entry_type 'rebate', entry_date p_on); the bill is then paid. Money left after the last open
-- bill stays on the payment as account credit.
--
-- Set-based: _allocation_plan computes the plan (one row per bill that gets money) from one
-- locking read of the open bills, _apply_allocation writes it (allocation rows, the bills'
-- cached amounts, rebate lines and ledger credits), and one UPDATE adds the plan's sum to the
-- payment.
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
BEGIN
    DECLARE v_account_id INT UNSIGNED;
    DECLARE v_remaining DECIMAL(12,2);
    DECLARE v_plan JSON;
    DECLARE v_allocated DECIMAL(12,2);
    DECLARE v_rebates INT;

    -- the payment, locked (lock order: account, bills, then payments; the caller holds the first two)
    SELECT MAX(account_id), MAX(amount - amount_allocated - amount_refunded)
      INTO v_account_id, v_remaining
      FROM payment
     WHERE payment_id = p_payment_id AND status = 'posted'
       FOR UPDATE;

    IF v_remaining > 0 THEN
        CALL _allocation_plan(v_account_id, v_remaining, p_on, v_plan, v_allocated, v_rebates);
        IF v_plan IS NOT NULL THEN
            CALL _apply_allocation(p_payment_id, v_account_id, v_plan, v_rebates, p_on, p_actor);
            UPDATE payment
               SET amount_allocated = amount_allocated + v_allocated
             WHERE payment_id = p_payment_id;
        END IF;
    END IF;
END
