-- v_customer_name_pair: every ordered pair of two different words of every customer's name, one
-- row per customer and pair, for the staff search by several name words
-- (billing.selectors.search_customers; a helper view of the staff web app, not part of the
-- contract).
--
-- A plain projection of the table customer_name_pair (migration 0135, kept with
-- customer_name_word by _index_customer_name and customer_name_words_update), ALGORITHM =
-- MERGE: the server reads the table's primary key (word, other, full_name, customer_no,
-- customer_id) itself, so the customers whose name has two given words come out of one range
-- already in the search page's order (a LIMIT stops the read). The web app's account has
-- SELECT on views only.
--
-- Columns
--   word          a word of the name (letters, digits, underscores; 3 to 84 characters)
--   other         another word of the same name (each pair is there both ways round)
--   full_name, customer_no, customer_id   the customer's
-- Example: SELECT customer_id FROM v_customer_name_pair WHERE word = 'ben' AND other = 'scott'
--           ORDER BY full_name, customer_no, customer_id LIMIT 51;
CREATE ALGORITHM = MERGE VIEW v_customer_name_pair AS
SELECT p.word,
       p.other,
       p.full_name,
       p.customer_no,
       p.customer_id
  FROM customer_name_pair p
