-- _check_period: validates the period arguments of run_billing and bill_account.
--
-- Parameters
--   p_period_start, p_period_end  the billing period (inclusive)
--   p_issue_date                  the date the bills are issued
--   p_due_days                    days from issue to due date
--   p_actor                       who acts (must not be empty)
-- Result: none.
-- Errors: 45040 PERIOD_INVALID when a date is missing, the end is before the start, the period
--   is over 62 days, the period is not over yet (period_end not before today), the issue date
--   is before the period end or before today, or due days are outside 1..90; 45002 when
--   p_actor is empty. "Today" is the session's CURRENT_DATE (billing-rules.md, "The billing
--   period of one account"): a caller that bills the past moves it with SET timestamp.
-- Example: CALL _check_period('2026-10-01', '2026-10-31', '2026-11-01', 14, 'batch:billing');
CREATE PROCEDURE _check_period(IN p_period_start DATE, IN p_period_end DATE, IN p_issue_date DATE,
                               IN p_due_days INT, IN p_actor VARCHAR(100))
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    IF p_period_start IS NULL OR p_period_end IS NULL OR p_issue_date IS NULL THEN
        CALL _fail(45040, 'period_start, period_end and issue_date are required');
    ELSEIF p_period_end < p_period_start THEN
        CALL _fail(45040, CONCAT('period_end ', p_period_end, ' is before period_start ', p_period_start));
    ELSEIF DATEDIFF(p_period_end, p_period_start) + 1 > 62 THEN
        CALL _fail(45040, CONCAT('the period has ', DATEDIFF(p_period_end, p_period_start) + 1,
                                 ' days; at most 62 are allowed'));
    ELSEIF p_period_end >= CURRENT_DATE THEN
        CALL _fail(45040, CONCAT('the period is not over: period_end ', p_period_end,
                                 ' is not before today ', CURRENT_DATE));
    ELSEIF p_issue_date < p_period_end THEN
        CALL _fail(45040, CONCAT('issue_date ', p_issue_date, ' is before period_end ', p_period_end));
    ELSEIF p_issue_date < CURRENT_DATE THEN
        CALL _fail(45040, CONCAT('issue_date ', p_issue_date, ' is before today ', CURRENT_DATE));
    ELSEIF p_due_days IS NULL OR p_due_days NOT BETWEEN 1 AND 90 THEN
        CALL _fail(45040, CONCAT('due_days must be between 1 and 90, not ', COALESCE(p_due_days, 'NULL')));
    ELSEIF _is_blank(p_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
END
