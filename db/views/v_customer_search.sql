-- v_customer_search: the customer table's own columns, one row per customer, for the staff search
-- (billing.selectors.search_customers; a helper view of the staff web app, not part of the
-- contract).
--
-- A plain projection of one table, ALGORITHM = MERGE: the server reads `customer` itself, so
-- MATCH (full_name) AGAINST (...) uses the FULLTEXT index ft_customer_name and lookups by
-- customer_no or email use theirs. v_customer cannot serve the search on MySQL: its account
-- count is a subquery in the select list, which MySQL never merges (it materializes the whole
-- view, and MATCH on a materialized view finds no FULLTEXT index). The web app's account has
-- SELECT on views only, so it reads the table through this view.
--
-- Columns
--   customer_id, customer_no, full_name, email, phone, address, created_at
--   phone_digits   the phone's digits only (migration 0045; indexed, for search by phone)
-- Example: SELECT customer_id FROM v_customer_search
--           WHERE MATCH (full_name) AGAINST ('+ada*' IN BOOLEAN MODE);
CREATE ALGORITHM = MERGE VIEW v_customer_search AS
SELECT c.customer_id,
       c.customer_no,
       c.full_name,
       c.email,
       c.phone,
       c.address,
       c.created_at,
       c.phone_digits
  FROM customer c
