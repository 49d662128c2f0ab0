-- _notice_skip_reason: why a notice of a kind is not e-mailed to a customer, or NULL to send it.
--
-- The one place of the rule: every writer of the notice table (the payment procedures through
-- _queue_notice, queue_reminders) puts IF(reason IS NULL, 'pending', 'skipped') and the reason
-- in the row. One exception: the billing chunk (_store_bills) writes this rule for the bill
-- kinds inline, as a CASE, because a call per bill cost a billing run about as much as the
-- notice row itself (docs/notices.md); tests/db/test_notices.py checks that it agrees with this
-- function on every case. A change here is a change there.
-- Parameters
--   p_kind             the notice kind (notice.kind)
--   p_email            the customer's e-mail (NULL: none)
--   p_email_bills      contact_preference.email_bills (NULL: no preference row, the default 1)
--   p_email_reminders  contact_preference.email_reminders (NULL: the default 1)
-- Returns VARCHAR(100): 'no e-mail address', 'opted out of e-mailed bills',
--   'opted out of e-mailed reminders', or NULL. Payment and refund notices are always sent
--   when there is an address (they confirm money moving).
-- Example: SELECT _notice_skip_reason('due_soon', 'a@example.org', 1, 0);
CREATE FUNCTION _notice_skip_reason(p_kind VARCHAR(20), p_email VARCHAR(254),
                                    p_email_bills TINYINT, p_email_reminders TINYINT)
    RETURNS VARCHAR(100)
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    IF p_email IS NULL OR TRIM(p_email) = '' THEN
        RETURN 'no e-mail address';
    END IF;
    IF p_kind IN ('bill_issued', 'final_bill') AND COALESCE(p_email_bills, 1) = 0 THEN
        RETURN 'opted out of e-mailed bills';
    END IF;
    IF p_kind IN ('due_soon', 'overdue_1', 'overdue_2', 'final_notice')
       AND COALESCE(p_email_reminders, 1) = 0 THEN
        RETURN 'opted out of e-mailed reminders';
    END IF;
    RETURN NULL;
END
