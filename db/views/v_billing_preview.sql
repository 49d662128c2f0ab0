-- v_billing_preview: the previews of billing runs (preview_billing), newest first in use: the
-- arguments, progress and the summary (bills, exceptions, estimated and flagged bills, total).
--
-- Columns: preview_id, period_start, period_end, issue_date, due_days, status (running,
--   completed, failed), accounts_considered, accounts_done, bills, exceptions, estimated_bills,
--   flagged, high, low, zero (flags by kind), total_billed, created_by, created_at, finished_at.
-- Example: SELECT * FROM v_billing_preview ORDER BY preview_id DESC LIMIT 10;
CREATE VIEW v_billing_preview AS
SELECT p.preview_id, p.period_start, p.period_end, p.issue_date, p.due_days, p.status,
       p.accounts_considered, p.accounts_done, p.bills, p.exceptions, p.estimated_bills,
       p.flagged,
       (SELECT COUNT(*) FROM preview_bill b WHERE b.preview_id = p.preview_id AND b.flag = 'HIGH') AS high,
       (SELECT COUNT(*) FROM preview_bill b WHERE b.preview_id = p.preview_id AND b.flag = 'LOW') AS low,
       (SELECT COUNT(*) FROM preview_bill b WHERE b.preview_id = p.preview_id AND b.flag = 'ZERO') AS zero,
       p.total_billed, p.created_by, p.created_at, p.finished_at
FROM billing_preview p
