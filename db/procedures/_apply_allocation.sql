-- _apply_allocation: writes an allocation plan made by _allocation_plan (internal helper of
-- _allocate_payment, post_payment when a rebate is on offer, and _post_batch_line).
--
-- The caller holds the locks (the account, its bills, the payment) inside its transaction and
-- keeps payment.amount_allocated itself (it adds the plan's sum). One INSERT of
-- payment_allocation rows, one UPDATE of the bills' cached amounts; when the plan grants
-- rebates, one INSERT of rebate lines (-R) and one of rebate ledger credits (-R, entry_type
-- 'rebate', entry date p_on), and one of the revenue report's delta.
--
-- Parameters
--   p_payment_id  the payment the money comes from
--   p_account_id  its account (for the ledger rows)
--   p_plan        the plan (JSON, see _allocation_plan); nothing happens when NULL
--   p_rebates     how many rebates the plan grants (0: the rebate statements are skipped)
--   p_on          the ledger date of the rebate credits
--   p_actor       who acts, for the ledger rows
-- Result: none (no result set). Errors: none of its own; a server error propagates.
-- Example: CALL _apply_allocation(42, 7, @plan, @rebates, '2026-03-15', 'staff:alice');
CREATE PROCEDURE _apply_allocation(IN p_payment_id INT UNSIGNED, IN p_account_id INT UNSIGNED,
                                   IN p_plan JSON, IN p_rebates INT, IN p_on DATE,
                                   IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    IF p_plan IS NOT NULL THEN
        INSERT INTO payment_allocation (payment_id, bill_id, amount)
        SELECT p_payment_id, p.bill_id, p.alloc
          FROM JSON_TABLE(p_plan, '$[*]' COLUMNS (
                   seq INT PATH '$.seq',
                   bill_id INT UNSIGNED PATH '$.bill_id',
                   alloc DECIMAL(12,2) PATH '$.alloc')) p
         ORDER BY p.seq;

        IF p_rebates > 0 THEN
            INSERT INTO bill_line (bill_id, line_no, kind, description, amount)
            SELECT p.bill_id, p.line_no, 'rebate', 'Early-payment rebate', -p.rebate
              FROM JSON_TABLE(p_plan, '$[*]' COLUMNS (
                       bill_id INT UNSIGNED PATH '$.bill_id',
                       rebate DECIMAL(12,2) PATH '$.rebate',
                       line_no SMALLINT UNSIGNED PATH '$.line_no')) p
             WHERE p.rebate > 0;

            INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
            SELECT p_account_id, 'rebate', -p.rebate, p.bill_id, p_on, p_actor
              FROM JSON_TABLE(p_plan, '$[*]' COLUMNS (
                       seq INT PATH '$.seq',
                       bill_id INT UNSIGNED PATH '$.bill_id',
                       rebate DECIMAL(12,2) PATH '$.rebate')) p
             WHERE p.rebate > 0
             ORDER BY p.seq;
        END IF;

        -- the bills' cached totals: paid up by the allocation, total down by a granted rebate
        -- (one statement per row, so amount_paid <= total_amount holds when the row is checked).
        -- STRAIGHT_JOIN: the plan first, then each bill by its id (never a scan that locks
        -- other accounts' bills)
        UPDATE JSON_TABLE(p_plan, '$[*]' COLUMNS (
                   bill_id INT UNSIGNED PATH '$.bill_id',
                   alloc DECIMAL(12,2) PATH '$.alloc',
                   rebate DECIMAL(12,2) PATH '$.rebate')) p
          STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = p.bill_id
           SET b.amount_paid = b.amount_paid + p.alloc,
               b.total_amount = b.total_amount - p.rebate,
               b.rebate_granted = IF(p.rebate > 0, 1, b.rebate_granted);

        IF p_rebates > 0 THEN
            -- the revenue report's figures (report_revenue_part, migration 0121): the granted
            -- rebates by the month and tariff version of their bills (rows this session holds)
            INSERT INTO report_revenue_part (month_start, tariff_version_id, rebate_amount,
                                              total_billed)
            SELECT r.month_start, r.tariff_version_id, -SUM(r.rebate), -SUM(r.rebate)
              FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
                           b.tariff_version_id, p.rebate
                      FROM JSON_TABLE(p_plan, '$[*]' COLUMNS (
                               bill_id INT UNSIGNED PATH '$.bill_id',
                               rebate DECIMAL(12,2) PATH '$.rebate')) p
                      STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = p.bill_id
                     WHERE p.rebate > 0 AND b.cancelled_at IS NULL) r
             GROUP BY r.month_start, r.tariff_version_id;
        END IF;
    END IF;
END
