-- v_dunning: the collectors' list: every account with money overdue (as of today).
--
-- Columns (contract): account_id, account_no, customer_name, phone, level, amount_overdue (open
--   money of bills not cancelled due before today), oldest_due_date (the earliest due date among
--   them), last_notice_kind, last_notice_at (the latest reminder or dunning notice sent to the
--   account: kind and sent_at; NULL when none was sent).
--   level: the highest dunning notice written for one of those bills (final_notice, overdue_2,
--   overdue_1), or 'none' when queue_reminders has written none yet. Also: level_no (0..3, to
--   sort), customer_id, email.
-- "Today" is the session's CURRENT_DATE.
-- Speed: the open bills come from ix_bill_open_cover (open_account_id, open_due_date,
-- total_amount, amount_paid; migration 0127) in account order, so the groups need no temporary
-- table; each overdue bill's dunning level is one lookup of uk_notice_bill_kind. The account and
-- customer are LEFT JOINs (the foreign keys make them exist): a count reads neither (MariaDB's
-- table elimination), and a page sorted by the grouped columns joins only its own rows.
-- Example: SELECT * FROM v_dunning ORDER BY level_no DESC, amount_overdue DESC;
CREATE VIEW v_dunning AS
SELECT o.account_id, a.account_no, c.full_name AS customer_name, c.phone,
       ELT(o.level_no + 1, 'none', 'overdue_1', 'overdue_2', 'final_notice') AS level,
       o.amount_overdue, o.oldest_due_date,
       (SELECT n.kind FROM notice n
         WHERE n.account_id = o.account_id AND n.status = 'sent'
           AND n.kind IN ('due_soon', 'overdue_1', 'overdue_2', 'final_notice')
         ORDER BY n.sent_at DESC, n.notice_id DESC LIMIT 1) AS last_notice_kind,
       (SELECT MAX(n.sent_at) FROM notice n
         WHERE n.account_id = o.account_id AND n.status = 'sent'
           AND n.kind IN ('due_soon', 'overdue_1', 'overdue_2', 'final_notice')) AS last_notice_at,
       o.level_no, c.customer_id, c.email
FROM (SELECT b.open_account_id AS account_id,
             SUM(b.total_amount - b.amount_paid) AS amount_overdue,
             MIN(b.open_due_date) AS oldest_due_date,
             COALESCE(MAX((SELECT MAX(CASE n.kind WHEN 'overdue_1' THEN 1 WHEN 'overdue_2' THEN 2
                                                  WHEN 'final_notice' THEN 3 ELSE 0 END)
                             FROM notice n WHERE n.bill_id = b.bill_id)), 0) AS level_no
        FROM bill b
       WHERE b.open_account_id IS NOT NULL AND b.open_due_date < CURRENT_DATE
       GROUP BY b.open_account_id) o
LEFT JOIN account a ON a.account_id = o.account_id
LEFT JOIN customer c ON c.customer_id = a.customer_id
