-- v_customer_address_word: the words of every customer's postal address and of every account's
-- service address, one row per word and address, for the staff search
-- (billing.selectors.search_customers; a helper view of the staff web app, not part of the
-- contract).
--
-- A plain projection of the table customer_address_word (migration 0130, kept by the triggers
-- customer_address_words_*, account_address_words_* and customer_name_words_update),
-- ALGORITHM = MERGE: the server reads the table's primary key (word, full_name, customer_no,
-- customer_id, account_id) itself, so the customers with one word come out in the search page's
-- order and a LIMIT stops the read. The web app's account has SELECT on views only.
--
-- Columns
--   word          a word of the address (letters, digits, underscores; 3 to 84 characters)
--   full_name, customer_no, customer_id   the customer's
--   account_id    0: the customer's postal address; else the account whose service address it is
-- Example: SELECT customer_id FROM v_customer_address_word WHERE word = 'springfield'
--           GROUP BY full_name, customer_no, customer_id
--           ORDER BY full_name, customer_no, customer_id LIMIT 51;
CREATE ALGORITHM = MERGE VIEW v_customer_address_word AS
SELECT w.word,
       w.full_name,
       w.customer_no,
       w.customer_id,
       w.account_id
  FROM customer_address_word w
