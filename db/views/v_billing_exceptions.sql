-- v_billing_exceptions: why accounts were not billed, per run.
--
-- Columns (contract): run_id, account_id, account_no, code, detail.
--   Also: period_start, period_end (the run's), recorded_at, resolved (1 once the account has a
--   bill for a period that covers the run's period end, e.g. from a later run or bill_account).
-- Codes: UNBILLED_GAP (days before the period are not billed yet, or a later period is billed),
--   READ_NEEDS_REVIEW (the end reading awaits review), NO_TARIFF (a day of the period has no
--   tariff version),
--   ESTIMATE_CONFLICT (an estimate would lie above a later actual reading), NEGATIVE_TOTAL
--   (discounts of more than the charges); from bill_account
--   also ACCOUNT_NOT_OPEN, NO_METER, ALREADY_BILLED.
-- Example: SELECT * FROM v_billing_exceptions WHERE run_id = 12 AND resolved = 0;
CREATE VIEW v_billing_exceptions AS
SELECT e.run_id, e.account_id, a.account_no, e.code, e.detail,
       r.period_start, r.period_end, e.recorded_at,
       EXISTS (SELECT 1 FROM bill b
               WHERE b.account_id = e.account_id AND b.cancelled_at IS NULL
                 AND b.period_start <= r.period_end AND b.period_end >= r.period_end) AS resolved
FROM billing_exception e
JOIN billing_run r ON r.run_id = e.run_id
JOIN account a ON a.account_id = e.account_id
