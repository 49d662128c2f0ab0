-- Covering indexes for the home pages' figures (issue 22, "Reports and home pages";
-- db/views/v_kpi_*.sql, docs/backoffice.md "Home pages and KPIs"). At 1M accounts a month is about
-- 1M bills and as many payments; summing them through ix_bill_issue / ix_payment_paid_at would
-- read every row of the table besides the index. With these, each month's sum and count is one
-- range of an index and no table row:
-- - bill (issue_date, cancelled_at, total_amount): billed per month and in the last 90 days
-- - bill (open_due_date, account_id, total_amount, amount_paid): open and overdue money, the
--   accounts owing it and the aging buckets (open bills only: open_due_date is NULL otherwise)
-- - payment (paid_at, status, amount): collected per month and today
ALTER TABLE bill
  ADD INDEX ix_bill_issue_total (issue_date, cancelled_at, total_amount),
  ADD INDEX ix_bill_open_cover (open_due_date, account_id, total_amount, amount_paid);
ALTER TABLE payment
  ADD INDEX ix_payment_paid_cover (paid_at, status, amount);
