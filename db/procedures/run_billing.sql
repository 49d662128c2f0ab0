-- run_billing: bills every billable account for one period (the monthly batch).
--
-- An account is billable when its service overlaps the period (bs = max(period_start,
-- opened_on) <= be = min(period_end, closed_on)), has a meter installed on be and has no bill
-- for a period overlapping [bs, be] (billing-rules.md; a closed account gets its final bill); so a second run of the same period bills nobody
-- twice, and an account skipped for an exception is billed by a later run once the cause is
-- fixed. The accounts are billed set-based (see _bill_chunk) in chunks of 1% of the run's
-- accounts, at most 10,000 (@billing_chunk_size overrides it for the session; below 1 means the
-- default), each chunk committed on its own: a crash loses at most the chunk under way and a
-- re-run finishes the rest. The run's row in billing_run shows progress (accounts_done /
-- accounts_total) while it runs, in steps of at most 1% (a person watching a run of a few
-- thousand accounts sees it move, not jump from 0 to 100%).
-- It is start_billing_run and one work_billing_run in one call (_open_billing_run, then
-- _bill_run_chunks in this session): the same run, billed chunk by chunk in account_id order.
-- Other sessions may help with CALL work_billing_run(run_id, ...) (docs/billing-runs.md).
--
-- Parameters
--   p_period_start, p_period_end  the period (inclusive, at most 62 days)
--   p_issue_date                  issue date of the bills (on or after period_end)
--   p_due_days                    days from issue to due date (1..90)
--   p_actor                       who runs it, e.g. 'batch:billing' or 'staff:alice'
-- Result: run_id, accounts_considered, bills_created, accounts_skipped, total_billed
--   accounts_considered: the accounts billable when their chunk was billed (a candidate that
--   another run of the period billed after this one started is not considered: nothing is
--   recorded for it); accounts_skipped: those considered but not billed, each with its
--   exception in v_billing_exceptions.
-- Errors: 45040 PERIOD_INVALID, 45002 empty actor. A chunk that deadlocks (1213) or times out
--   on a lock (1205) is rolled back and tried again, 5 attempts in all. Any other failure in a
--   chunk (or the 5th lock error) rolls that chunk back, marks the run 'failed' and is raised
--   again; earlier chunks stay billed.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL run_billing('2026-10-01', '2026-10-31', '2026-11-01', 14, 'batch:billing');
CREATE PROCEDURE run_billing(IN p_period_start LONGTEXT,
                             IN p_period_end LONGTEXT,
                             IN p_issue_date LONGTEXT,
                             IN p_due_days LONGTEXT,
                             IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_period_start DATE DEFAULT _arg_date(p_period_start, 'period_start');
    DECLARE v_period_end DATE DEFAULT _arg_date(p_period_end, 'period_end');
    DECLARE v_issue_date DATE DEFAULT _arg_date(p_issue_date, 'issue_date');
    DECLARE v_due_days INT DEFAULT _arg_int(p_due_days, 'due_days', -2147483648, 2147483647, 45040);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_run INT UNSIGNED;
    DECLARE v_total INT UNSIGNED;
    DECLARE v_chunks INT UNSIGNED;
    DECLARE v_bills INT UNSIGNED;

    -- each half rolls back what it does on an error, and the second marks the run 'failed'
    CALL _open_billing_run(v_period_start, v_period_end, v_issue_date, v_due_days, v_actor,
                            v_run, v_total);
    CALL _bill_run_chunks(v_run, v_actor, v_chunks, v_bills);

    SELECT run_id, accounts_total AS accounts_considered, bills_created, accounts_skipped, total_billed
    FROM billing_run WHERE run_id = v_run;
END
