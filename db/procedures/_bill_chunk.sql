-- _bill_chunk: bills the accounts listed in the temporary table billing_chunk (the engine shared
-- by run_billing and bill_account), set-based, inside the caller's transaction:
-- _compute_bills (locking the accounts, their meters and tariffs) then _store_bills.
--
-- Parameters
--   p_run_id            the billing_run the bills and exceptions belong to
--   p_period_start/end  the period; P = end - start + 1
--   p_issue_date        issue date; due date = issue date + p_due_days
--   p_due_days          1..90 (checked by the caller)
--   p_actor             recorded on estimated readings and ledger rows
--   p_explain_ineligible 1: accounts of the chunk that are not billable at all (no service in
--                       the period, no meter on be, already billed for an overlapping period) get an
--                       exception row too (bill_account); 0: they are left out silently
--                       (run_billing, whose candidates were chosen just before, so these are
--                       accounts another run billed in the meantime)
-- Result: none (no result set). Progress and totals are added to the billing_run row.
-- Errors: whatever a statement raises (the caller rolls back).
-- The caller has created billing_chunk (account_id PRIMARY KEY), started a transaction and
-- commits or rolls back afterwards. preview_billing calls _compute_bills the same way, without
-- the locks, and keeps the result instead of storing it.
CREATE PROCEDURE _bill_chunk(IN p_run_id INT UNSIGNED, IN p_period_start DATE, IN p_period_end DATE,
                             IN p_issue_date DATE, IN p_due_days INT, IN p_actor VARCHAR(100),
                             IN p_explain_ineligible TINYINT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _compute_bills(p_period_start, p_period_end, p_issue_date, 1);

    IF p_explain_ineligible THEN
        -- the reason is found once (x.code), its text follows from it
        INSERT INTO billing_exception (run_id, account_id, code, detail)
        SELECT p_run_id, x.account_id, x.code,
               CASE x.code
                    WHEN 'ACCOUNT_NOT_OPEN' THEN CONCAT('the account is not open on ', p_period_end)
                    WHEN 'NO_METER' THEN CONCAT('no meter is installed on ', x.be)
                    ELSE CONCAT('already billed for a period overlapping ', p_period_start, '..', p_period_end) END
        FROM (SELECT a.account_id, LEAST(p_period_end, COALESCE(a.closed_on, p_period_end)) AS be,
                     CASE WHEN a.opened_on > p_period_end OR a.closed_on < p_period_start
                               OR a.closed_on < a.opened_on THEN 'ACCOUNT_NOT_OPEN'
                          WHEN NOT EXISTS (SELECT 1 FROM meter_installation mi
                                           WHERE mi.account_id = a.account_id
                                             AND mi.installed_on <= LEAST(p_period_end, COALESCE(a.closed_on, p_period_end))
                                             AND (mi.removed_on IS NULL
                                                  OR mi.removed_on >= LEAST(p_period_end, COALESCE(a.closed_on, p_period_end))))
                               THEN 'NO_METER'
                          ELSE 'ALREADY_BILLED' END AS code
              FROM billing_chunk c
              JOIN account a ON a.account_id = c.account_id
              WHERE NOT EXISTS (SELECT 1 FROM bc_acct t WHERE t.account_id = c.account_id)) x;
    END IF;

    CALL _store_bills(p_run_id, p_period_start, p_period_end, p_issue_date, p_due_days, p_actor);
END
