-- bill_account: bills one account for a period (a re-bill after an exception was fixed, or a
-- bill outside the monthly run), with the same rules and engine as run_billing.
--
-- It records a billing_run of its own (one account), so a reason for not billing shows in
-- v_billing_exceptions like a run's: UNBILLED_GAP, READ_NEEDS_REVIEW, NO_TARIFF,
-- ESTIMATE_CONFLICT, and here also ACCOUNT_NOT_OPEN, NO_METER and ALREADY_BILLED.
--
-- Parameters
--   p_account_id                   the account
--   p_period_start, p_period_end   the period (inclusive, at most 62 days)
--   p_issue_date                   issue date (on or after period_end)
--   p_due_days                     days from issue to due date (1..90)
--   p_actor                        who acts
-- Result: bill_id (NULL when the account was not billed; the reason is in v_billing_exceptions)
-- Errors: 45001 unknown account, 45040 PERIOD_INVALID, 45002 empty actor.
--   A deadlock (1213) or lock wait timeout (1205) is retried inside, 5 attempts in all;
--   the 5th is raised.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _bill_account: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL bill_account(42, '2026-10-01', '2026-10-31', '2026-11-01', 14, 'staff:alice');
CREATE PROCEDURE bill_account(IN p_account_id LONGTEXT,
                              IN p_period_start LONGTEXT,
                              IN p_period_end LONGTEXT,
                              IN p_issue_date LONGTEXT,
                              IN p_due_days LONGTEXT,
                              IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _bill_account(_arg_int(p_account_id, 'account_id', 0, 4294967295, 45001),
                       _arg_date(p_period_start, 'period_start'),
                       _arg_date(p_period_end, 'period_end'),
                       _arg_date(p_issue_date, 'issue_date'),
                       _arg_int(p_due_days, 'due_days', -2147483648, 2147483647, 45040),
                       _arg_text(p_actor, 'actor', 100));
END
