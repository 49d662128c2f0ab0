-- Staff search by phone and address (issue 22, "Finding and seeing"), each through an index so
-- the search stays an index lookup per key (billing.selectors.search_customers):
-- - customer.phone_digits: the phone's digits (spaces, '-', '(', ')', '.', '/' and '+' taken
--   out; plain nested REPLACE, deterministic on MySQL 8.4 and MariaDB 10.11), STORED and
--   indexed: "+1 (555) 010-0123" and "15550100123" find the same customer.
-- - FULLTEXT on customer.address and account.service_address, searched for word prefixes in
--   boolean mode like the name (stopwords off, as for ft_customer_name in 0017).
SET SESSION innodb_ft_enable_stopword = OFF;
ALTER TABLE customer
  ADD COLUMN phone_digits VARCHAR(40)
      AS (REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, ' ', ''), '-', ''),
          '(', ''), ')', ''), '.', ''), '/', ''), '+', '')) STORED,
  ADD INDEX ix_customer_phone_digits (phone_digits);
ALTER TABLE customer ADD FULLTEXT INDEX ft_customer_address (address);
ALTER TABLE account ADD FULLTEXT INDEX ft_account_service_address (service_address);
