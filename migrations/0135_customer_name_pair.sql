-- Staff search by a full name (issue 24 §4; billing.selectors.search_customers): one row per
-- ordered pair of different words of every customer's name, kept with customer_name_word
-- (migration 0117) by _index_customer_name and the trigger customer_name_words_update.
--
-- Why: a query of two name words ("Ben Scott") reads customer_name_word in the page's order for
-- one word and checks the other per row. When the matches come late in that order (every "Ben"
-- from "Ben Adams" to "Ben Sanders" first), the check became a semi-join that read every row of
-- the other word: 41,667 "Scott"s at 1M customers, 70 ms a search, a page at 23x the trivial
-- page. Here the customers with both words are one range of the primary key, (word, other),
-- whatever their order: the search reads only its matches (2,600 "Ben Scott"s) and sorts them.
--
-- A name of n different words has n x (n - 1) rows (2 for "Ben Scott", 6 for three words);
-- words as customer_name_word has them (3 to 84 letters, digits and underscores, the column's
-- collation making "Müller" and "MULLER" one word), so a word twice in a name makes no pair.
-- Example: SELECT customer_id FROM customer_name_pair WHERE word = 'ben' AND other LIKE 'scott%'
--           ORDER BY full_name, customer_no;
CREATE TABLE customer_name_pair (
  word        VARCHAR(200) NOT NULL COMMENT 'a word of the name (customer_name_word.word)',
  other       VARCHAR(200) NOT NULL COMMENT 'another word of the same name',
  full_name   VARCHAR(200) NOT NULL,
  customer_no VARCHAR(12)  NOT NULL,
  customer_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (word, other, full_name, customer_no, customer_id),
  KEY ix_customer_name_pair_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- the customers there already, from their words (the statement _index_customer_name runs)
INSERT INTO customer_name_pair (word, other, full_name, customer_no, customer_id)
SELECT a.word, b.word, a.full_name, a.customer_no, a.customer_id
  FROM customer_name_word a
  JOIN customer_name_word b ON b.customer_id = a.customer_id AND b.word <> a.word;
