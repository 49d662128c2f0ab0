-- customer_name_words_insert: a new customer's name words go into customer_name_word (migration
-- 0117), the staff search's ordered index of names by word (billing.selectors.search_customers).
--
--   A word is a run of letters, digits and underscores of 3 to 84 characters, as InnoDB's
--   FULLTEXT parser takes it; a word twice in the name is one row (the duplicate key updates
--   nothing). Fires for every insert, the procedures' and direct SQL's alike.
-- Errors: none of its own.
-- Example: INSERT INTO customer (customer_no, full_name) VALUES ('C9', 'Ada Lovelace');
--          SELECT word FROM customer_name_word WHERE customer_id = LAST_INSERT_ID();
CREATE TRIGGER customer_name_words_insert AFTER INSERT ON customer
FOR EACH ROW
BEGIN
    INSERT INTO customer_name_word (word, full_name, customer_no, customer_id)
    SELECT w.word, NEW.full_name, NEW.customer_no, NEW.customer_id
      FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(NEW.full_name, '[^[:alnum:]_]+', ' ')),
                                           ' ', '","'), '"]'),
                      '$[*]' COLUMNS (word VARCHAR(200) PATH '$')) w
     WHERE CHAR_LENGTH(w.word) BETWEEN 3 AND 84
    ON DUPLICATE KEY UPDATE customer_id = customer_name_word.customer_id;
END
