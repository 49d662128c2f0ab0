-- Staff search by a common name (issue 24 §4; billing.selectors.search_customers): one row per
-- word of every customer's name, kept by the triggers customer_name_words_insert/_update, with
-- the name and customer number beside the word, so that the customers whose name has the word
-- "Smith" come out of the primary key already in the search page's order (full_name,
-- customer_no) and the page reads 51 index entries. The FULLTEXT index ft_customer_name answers
-- the same question but gives every match unordered: 40,000 "Smith"s in a million customers
-- cost a quarter of a second to fetch and sort.
--
-- A word is what InnoDB's FULLTEXT parser takes as one: a run of letters, digits and
-- underscores (any other character, the apostrophe included, separates words), 3 to 84
-- characters (innodb_ft_min_token_size / innodb_ft_max_token_size, the defaults of both
-- servers). A name with the same word twice ("Smith-Smith") has one row for it; the column's
-- collation makes "Müller" and "MULLER" the same word, as the FULLTEXT index does.
-- Example: SELECT customer_id FROM customer_name_word WHERE word = 'smith'
--           ORDER BY full_name, customer_no LIMIT 51;
CREATE TABLE customer_name_word (
  word        VARCHAR(200) NOT NULL,
  full_name   VARCHAR(200) NOT NULL,
  customer_no VARCHAR(12)  NOT NULL,
  customer_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (word, full_name, customer_no, customer_id),
  KEY ix_customer_name_word_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- the customers there already (the same statement as the triggers')
INSERT INTO customer_name_word (word, full_name, customer_no, customer_id)
SELECT w.word, c.full_name, c.customer_no, c.customer_id
  FROM customer c,
       JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(c.full_name, '[^[:alnum:]_]+', ' ')),
                                       ' ', '","'), '"]'),
                  '$[*]' COLUMNS (word VARCHAR(200) PATH '$')) w
 WHERE CHAR_LENGTH(w.word) BETWEEN 3 AND 84
ON DUPLICATE KEY UPDATE customer_id = customer_name_word.customer_id;
