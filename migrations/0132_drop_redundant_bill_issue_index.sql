-- Drop bill's index ix_bill_issue (issue_date) (issue 24 §1; docs/benchmarks.md).
--
-- ix_bill_issue_total (issue_date, cancelled_at, total_amount) (migration 0093) starts with the
-- same column, so every query that could read ix_bill_issue reads that one in the same order;
-- no routine or view names ix_bill_issue. Keeping it cost one more index entry for every bill a
-- run inserts (one of the bill's 13 secondary indexes). Plain SQL that MySQL 8.4 and MariaDB
-- 10.11 both take.

ALTER TABLE bill DROP INDEX ix_bill_issue;
