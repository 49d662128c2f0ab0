-- v_customer_name_word: the words of every customer's name, one row per customer and word, for
-- the staff search (billing.selectors.search_customers; a helper view of the staff web app, not
-- part of the contract).
--
-- A plain projection of the table customer_name_word (migration 0117, kept by the triggers
-- customer_name_words_insert/_update), ALGORITHM = MERGE: the server reads the table's primary
-- key (word, full_name, customer_no, customer_id) itself, so the customers with one word come
-- out in the search page's order and a LIMIT stops the read. The web app's account has SELECT
-- on views only.
--
-- Columns
--   word          a word of the name (letters, digits, underscores; 3 to 84 characters)
--   full_name, customer_no, customer_id   the customer's
-- Example: SELECT customer_id FROM v_customer_name_word WHERE word = 'smith'
--           ORDER BY full_name, customer_no LIMIT 51;
CREATE ALGORITHM = MERGE VIEW v_customer_name_word AS
SELECT w.word,
       w.full_name,
       w.customer_no,
       w.customer_id
  FROM customer_name_word w
