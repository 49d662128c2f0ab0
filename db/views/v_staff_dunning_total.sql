-- v_staff_dunning_total: the dunning list's heading, how many accounts have money overdue today
-- and how much (a helper view of the staff back office, not part of the contract; see
-- docs/backoffice.md). The same figures as COUNT(*) and SUM(amount_overdue) over v_dunning,
-- without v_dunning's dunning level per bill: over v_dunning that aggregate computed every
-- overdue bill's level from its notices first (3.6 s at 1M overdue accounts; 0.4 s this way,
-- read from ix_bill_open_cover alone).
--
-- Columns
--   accounts   accounts with an open bill whose due date is before today
--   overdue    the money open on those bills (0.00 when there is none)
-- Example: SELECT accounts, overdue FROM v_staff_dunning_total;
CREATE VIEW v_staff_dunning_total AS
SELECT CAST(COUNT(DISTINCT b.open_account_id) AS UNSIGNED) AS accounts,
       CAST(COALESCE(SUM(b.total_amount - b.amount_paid), 0) AS DECIMAL(14,2)) AS overdue
  FROM bill b
 WHERE b.open_account_id IS NOT NULL AND b.open_due_date < CURRENT_DATE
