-- Staff search by a word of an address (issue 24 §4; billing.selectors.search_customers): one
-- row per word of every customer's postal address and of every account's service address, with
-- the customer's name and number beside the word, kept by the triggers
-- customer_address_words_insert/_update/_delete, account_address_words_insert/_update/_delete
-- and (a new name or number) customer_name_words_update. As customer_name_word (migration
-- 0117) does for names, the customers with an address word come out of the primary key already
-- in the search page's order (full_name, customer_no), so a word that nearly every address has
-- (a town, "Street") costs a page's worth of index entries.
-- The FULLTEXT indexes ft_customer_address and ft_account_service_address answer the same
-- question but give every match unordered: at 1M customers "Springfield" took 8 s to fetch and
-- sort.
--
-- A word is what InnoDB's FULLTEXT parser takes as one (see migration 0117): a run of letters,
-- digits and underscores, 3 to 84 characters. account_id says which address the word is in: 0
-- for the customer's postal address (no account has id 0), else the account whose service
-- address it is. A word twice in one address is one row; a customer with the word in several
-- addresses has a row for each (the search groups them).
-- Example: SELECT customer_id FROM customer_address_word WHERE word = 'springfield'
--           GROUP BY full_name, customer_no, customer_id
--           ORDER BY full_name, customer_no, customer_id LIMIT 51;
CREATE TABLE customer_address_word (
  word        VARCHAR(200) NOT NULL,
  full_name   VARCHAR(200) NOT NULL,
  customer_no VARCHAR(12)  NOT NULL,
  customer_id INT UNSIGNED NOT NULL,
  account_id  INT UNSIGNED NOT NULL COMMENT '0: the customer''s postal address',
  PRIMARY KEY (word, full_name, customer_no, customer_id, account_id),
  KEY ix_customer_address_word_source (customer_id, account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- the addresses there already (the same statements as the triggers')
INSERT INTO customer_address_word (word, full_name, customer_no, customer_id, account_id)
SELECT w.word, c.full_name, c.customer_no, c.customer_id, 0
  FROM customer c,
       JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(c.address, '[^[:alnum:]_]+', ' ')),
                                       ' ', '","'), '"]'),
                  '$[*]' COLUMNS (word VARCHAR(200) PATH '$')) w
 WHERE c.address IS NOT NULL AND CHAR_LENGTH(w.word) BETWEEN 3 AND 84
ON DUPLICATE KEY UPDATE account_id = customer_address_word.account_id;

INSERT INTO customer_address_word (word, full_name, customer_no, customer_id, account_id)
SELECT w.word, c.full_name, c.customer_no, c.customer_id, a.account_id
  FROM account a
  JOIN customer c ON c.customer_id = a.customer_id,
       JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(a.service_address, '[^[:alnum:]_]+', ' ')),
                                       ' ', '","'), '"]'),
                  '$[*]' COLUMNS (word VARCHAR(200) PATH '$')) w
 WHERE CHAR_LENGTH(w.word) BETWEEN 3 AND 84
ON DUPLICATE KEY UPDATE account_id = customer_address_word.account_id;
