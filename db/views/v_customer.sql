-- v_customer: customers with their contact details and how many accounts they have
-- (a helper view of the staff web app, not part of the contract; see docs/webapp.md).
--
-- Columns
--   customer_id, customer_no, full_name, email, phone, address, created_at
--   accounts   number of accounts of the customer, open or closed (0 when none)
-- One row per customer.
-- Example: SELECT * FROM v_customer WHERE customer_no = 'C0000001';
CREATE VIEW v_customer AS
SELECT c.customer_id,
       c.customer_no,
       c.full_name,
       c.email,
       c.phone,
       c.address,
       c.created_at,
       (SELECT COUNT(*) FROM account a WHERE a.customer_id = c.customer_id) AS accounts
  FROM customer c
