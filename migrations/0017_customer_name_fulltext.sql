-- Staff search by name (billing.selectors.search_customers): a FULLTEXT index on the customer's
-- name, searched for word prefixes in boolean mode, instead of a LIKE '%...%' scan of every
-- customer. Stopwords off for this index: "Will", "May" or "Case" are names here.
-- (The first FULLTEXT index of a table adds InnoDB's hidden FTS_DOC_ID column: a table rebuild.)
SET SESSION innodb_ft_enable_stopword = OFF;
ALTER TABLE customer ADD FULLTEXT INDEX ft_customer_name (full_name);
