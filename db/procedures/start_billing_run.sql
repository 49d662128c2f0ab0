-- start_billing_run: opens a billing run for one period, to be worked by work_billing_run in
-- as many sessions at once as the caller likes (run_billing is this and one worker in one call).
--
-- Reads the run's candidates once, exactly as run_billing chooses them (billing-rules.md: the
-- account's service overlaps the period, a meter is installed on be, no bill for an overlapping
-- period), numbers them into chunks (1% of the accounts each, 1 to 10,000; the session's
-- @billing_chunk_size overrides it, below 1 means the default) and commits the run with them:
-- billing_run (status 'running', accounts_total, chunks_total), billing_run_candidate,
-- billing_run_chunk, and the audit row billing_run_started. A run without candidates is
-- completed at once. See _open_billing_run and docs/billing-runs.md.
--
-- Parameters
--   p_period_start, p_period_end  the period (inclusive, at most 62 days)
--   p_issue_date                  issue date of the bills (on or after period_end)
--   p_due_days                    days from issue to due date (1..90)
--   p_actor                       who starts it, e.g. 'batch:billing' or 'staff:alice'
-- Result: run_id, accounts_total
-- Errors: 45040 PERIOD_INVALID, 45002 empty actor; nothing is written then.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted into
-- typed locals (the _arg_* functions) at the top of the body, before anything is read or
-- written: a wrong type, a value too long, too big or too precise, or a date that is no
-- calendar day between 1900-01-01 and 2999-12-31 is a contract error (45002, or the
-- procedure's own number for an out-of-range value), never a raw conversion error of the server.
-- Example: CALL start_billing_run('2026-10-01', '2026-10-31', '2026-11-01', 14, 'batch:billing');
CREATE PROCEDURE start_billing_run(IN p_period_start LONGTEXT,
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

    CALL _open_billing_run(v_period_start, v_period_end, v_issue_date, v_due_days, v_actor,
                            v_run, v_total);
    SELECT v_run AS run_id, v_total AS accounts_total;
END
