-- _keep_preview: keeps what _compute_bills computed for a chunk (work tables bc_acct, bc_line) as
-- rows of a preview (preview_billing, preview_bill_account): where a run stores bills
-- (_store_bills), a preview keeps preview_bill rows (with the comparison and the flag: ZERO when
-- C = 0 and not estimated, else HIGH when total > 2 x the previous bill's issued total, else LOW
-- when 4 x C < the previous bill's C; only bills with a previous bill), their lines numbered
-- as the bill's would be (with the early-payment rebate that the account's credit at issue
-- grants, as the run's _apply_credits), and the exceptions; the preview's counts grow by the
-- chunk's.
--
-- Parameters
--   p_preview_id        the billing_preview row
--   p_period_start/end  the period; P = end - start + 1
--   p_issue_date        issue date; due date = issue date + p_due_days
--   p_due_days          days from issue to due date
--   p_accounts          accounts in the chunk (progress)
-- Result: none (no result set). Errors: whatever a statement raises.
CREATE PROCEDURE _keep_preview(IN p_preview_id INT UNSIGNED, IN p_period_start DATE,
                               IN p_period_end DATE, IN p_issue_date DATE, IN p_due_days INT,
                               IN p_accounts INT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_P INT DEFAULT DATEDIFF(p_period_end, p_period_start) + 1;

    INSERT INTO preview_bill (preview_id, account_id, period_start, period_end, days_billed,
                              period_days, due_date, prev_read_on, prev_read_value, end_read_on,
                              end_read_value, register_advance, consumption_kwh, estimated, final,
                              energy_charge, fixed_charge, discount_amount, tax_amount,
                              total_amount, rebate_amount, rebate_date, replaces_bill_id,
                              prev_bill_id, usage_effect, other_effect, last_year_bill_id, flag)
    SELECT p_preview_id, t.account_id, t.bs, t.be, t.d_days, v_P, p_issue_date + INTERVAL p_due_days DAY,
           t.prev_read_on, t.prev_value, t.end_read_on, t.end_value, t.register_advance,
           t.consumption, t.estimated, t.final, t.energy, t.fixed, t.discounts, t.tax, t.total,
           t.rebate, t.rebate_date, t.replaces_bill_id, t.prev_bill_id, t.usage_effect,
           t.other_effect, t.last_year_bill_id,
           CASE WHEN t.prev_bill_id IS NULL THEN NULL
                WHEN t.consumption = 0 AND t.estimated = 0 THEN 'ZERO'
                WHEN t.total > 2 * t.prev_total THEN 'HIGH'
                WHEN 4 * t.consumption < t.prev_consumption THEN 'LOW' END
    FROM bc_acct t
    WHERE t.exception_code IS NULL;

    CALL _number_bill_lines();
    INSERT INTO preview_line (preview_id, account_id, line_no, kind, description, quantity_kwh,
                              rate, amount)
    SELECT p_preview_id, n.price_key, n.line_no,
           l.kind, l.description, l.quantity_kwh, l.rate, l.amount
    FROM bc_line_no n
    JOIN bc_line l ON l.price_key = n.price_key AND l.variant = 0 AND l.seq = n.seq
    JOIN bc_acct t ON t.account_id = n.price_key AND t.exception_code IS NULL;

    -- Credit already on the account at issue (billing-rules.md, "Bill totals"): the run puts it
    -- on the account's open bills at once (_apply_credits, by due date then bill id, the issue
    -- date the payment date), and so grants the new bill's early-payment rebate when the credit
    -- covers the needs of the open bills due on or before its due date and its own need
    -- (total - R; each older bill's: its open amount, less its rebate when on offer that day).
    -- The preview shows the bill as the run leaves it: a rebate line -R after its other lines,
    -- its total less R (total_billed stays the totals as issued, as the run's).
    DROP TEMPORARY TABLE IF EXISTS bc_preview_rebate;
    CREATE TEMPORARY TABLE bc_preview_rebate (
        account_id INT UNSIGNED  NOT NULL PRIMARY KEY,
        rebate     DECIMAL(12,2) NOT NULL,
        line_no    INT UNSIGNED  NOT NULL
    ) ENGINE=MEMORY;
    INSERT INTO bc_preview_rebate (account_id, rebate, line_no)
    SELECT x.account_id, x.rebate,
           (SELECT MAX(n.line_no) + 1 FROM bc_line_no n WHERE n.price_key = x.account_id)
    -- the accounts with credit, from the chunk's by the credit index (most have none)
    FROM (SELECT t.account_id, t.rebate, t.total,
                 SUM(p.amount - p.amount_allocated - p.amount_refunded) AS credit
          FROM bc_acct t
          STRAIGHT_JOIN payment p FORCE INDEX (ix_payment_credit) ON p.credit_account_id = t.account_id
          -- the rebate on offer on the issue date (rebate_date is the issue date + days)
          WHERE t.exception_code IS NULL AND t.rebate > 0 AND t.total > t.rebate
          GROUP BY t.account_id, t.rebate, t.total) x
    WHERE x.credit >= x.total - x.rebate
                      + (SELECT COALESCE(SUM(b.total_amount - b.amount_paid
                                             - IF(p_issue_date <= b.rebate_date AND b.rebate_granted = 0
                                                  AND b.rebate_amount > 0
                                                  AND b.total_amount - b.amount_paid > b.rebate_amount,
                                                  b.rebate_amount, 0)), 0)
                           FROM bill b FORCE INDEX (ix_bill_open_account)
                          WHERE b.open_account_id = x.account_id
                            AND b.due_date <= p_issue_date + INTERVAL p_due_days DAY);

    INSERT INTO preview_line (preview_id, account_id, line_no, kind, description, amount)
    SELECT p_preview_id, r.account_id, r.line_no, 'rebate', 'Early-payment rebate', -r.rebate
    FROM bc_preview_rebate r;

    UPDATE preview_bill b
    JOIN bc_preview_rebate r ON r.account_id = b.account_id
    SET b.total_amount = b.total_amount - r.rebate
    WHERE b.preview_id = p_preview_id;
    DROP TEMPORARY TABLE bc_preview_rebate;

    INSERT INTO preview_exception (preview_id, account_id, code, detail)
    SELECT p_preview_id, account_id, exception_code, exception_detail
    FROM bc_acct WHERE exception_code IS NOT NULL;

    UPDATE billing_preview p
    JOIN (SELECT SUM(t.exception_code IS NULL) AS bills,
                 SUM(t.exception_code IS NOT NULL) AS exceptions,
                 SUM(t.exception_code IS NULL AND t.estimated = 1) AS estimated_bills,
                 COALESCE(SUM(IF(t.exception_code IS NULL, t.total, 0)), 0) AS total_billed
          FROM bc_acct t) x
    SET p.accounts_done = LEAST(p.accounts_considered, p.accounts_done + p_accounts),
        p.bills = p.bills + COALESCE(x.bills, 0),
        p.exceptions = p.exceptions + COALESCE(x.exceptions, 0),
        p.estimated_bills = p.estimated_bills + COALESCE(x.estimated_bills, 0),
        p.total_billed = p.total_billed + x.total_billed
    WHERE p.preview_id = p_preview_id;
END
