-- v_account_search: the account table's own search columns, one row per account, for the staff
-- search (billing.selectors.search_customers; a helper view of the staff web app, not part of
-- the contract).
--
-- A plain projection of one table, ALGORITHM = MERGE, like v_customer_search: the server reads
-- `account` itself, so MATCH (service_address) AGAINST (...) uses the FULLTEXT index
-- ft_account_service_address (migration 0045).
--
-- Columns
--   account_id, account_no, customer_id, service_address
--   status   'open' while closed_on is NULL, else 'closed' (as v_account has it; the search
--            lists each customer's accounts with it)
-- Example: SELECT customer_id FROM v_account_search
--           WHERE MATCH (service_address) AGAINST ('+elm*' IN BOOLEAN MODE);
CREATE ALGORITHM = MERGE VIEW v_account_search AS
SELECT a.account_id,
       a.account_no,
       a.customer_id,
       a.service_address,
       IF(a.closed_on IS NULL, 'open', 'closed') AS status
  FROM account a
