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
--   p_bills             OUT: bills created
--   p_total             OUT: their totals as issued
-- Result: none (no result set). The caller keeps the run's progress (_store_bills, "Locks").
-- Errors: whatever a statement raises (the caller rolls back).
-- The caller has created billing_chunk (account_id PRIMARY KEY), started a transaction and
-- commits or rolls back afterwards. preview_billing calls _compute_bills the same way, without
-- the locks, and keeps the result instead of storing it.
CREATE PROCEDURE _bill_chunk(IN p_run_id INT UNSIGNED, IN p_period_start DATE, IN p_period_end DATE,
                             IN p_issue_date DATE, IN p_due_days INT, IN p_actor VARCHAR(100),
                             IN p_explain_ineligible TINYINT,
                             OUT p_bills INT UNSIGNED, OUT p_total DECIMAL(14,2))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _compute_bills(p_period_start, p_period_end, p_issue_date, 1);

    IF p_explain_ineligible THEN
        CALL _find_ineligible(p_period_start, p_period_end);
        INSERT INTO billing_exception (run_id, account_id, code, detail)
        SELECT p_run_id, account_id, code, detail FROM bc_ineligible;
    END IF;

    CALL _store_bills(p_run_id, p_period_start, p_period_end, p_issue_date, p_due_days, p_actor,
                      p_bills, p_total);
END
