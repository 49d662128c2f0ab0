-- v_contact_preferences: every customer's notice preferences, defaults filled in (issue 23).
--
-- Columns: customer_id, email (the address notices go to; NULL: none, every notice is
--   skipped), email_bills, email_reminders, paperless (0/1; a customer who never chose has the
--   defaults 1, 1, 0), updated_at, updated_by (NULL when never chosen).
-- Changed through set_contact_preferences.
-- Example: SELECT * FROM v_contact_preferences WHERE customer_id = 7;
CREATE VIEW v_contact_preferences AS
SELECT c.customer_id, c.email,
       COALESCE(cp.email_bills, 1) AS email_bills,
       COALESCE(cp.email_reminders, 1) AS email_reminders,
       COALESCE(cp.paperless, 0) AS paperless,
       cp.updated_at, cp.updated_by
FROM customer c
LEFT JOIN contact_preference cp ON cp.customer_id = c.customer_id
