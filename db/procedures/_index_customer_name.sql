-- _index_customer_name: writes a customer's name words into customer_name_word (migration 0117),
-- the staff search's ordered index of names by word, and every ordered pair of two different
-- of those words into customer_name_pair (migration 0135), its index of names by two words
-- (billing.selectors.search_customers). Called by the triggers customer_name_words_insert and
-- customer_name_words_update (which deletes the customer's rows of both tables first).
--
--   A word is a run of letters, digits and underscores of 3 to 84 characters, as InnoDB's
--   FULLTEXT parser takes it (any other character, the apostrophe included, separates words);
--   a word twice in the name is one row (the duplicate key updates nothing) and makes no pair.
--
-- Parameters
--   p_customer_id   the customer
--   p_full_name     the name whose words are written
--   p_customer_no   the customer number, kept beside each word (the page's order)
-- Result: none. Errors: none of its own.
-- Example: CALL _index_customer_name(1, 'Ada Lovelace', 'C000001');
CREATE PROCEDURE _index_customer_name(IN p_customer_id INT UNSIGNED,
                                      IN p_full_name VARCHAR(200),
                                      IN p_customer_no VARCHAR(12))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    INSERT INTO customer_name_word (word, full_name, customer_no, customer_id)
    SELECT w.word, p_full_name, p_customer_no, p_customer_id
      FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(p_full_name, '[^[:alnum:]_]+', ' ')),
                                           ' ', '","'), '"]'),
                      '$[*]' COLUMNS (word VARCHAR(200) PATH '$')) w
     WHERE CHAR_LENGTH(w.word) BETWEEN 3 AND 84
    ON DUPLICATE KEY UPDATE customer_id = customer_name_word.customer_id;

    INSERT INTO customer_name_pair (word, other, full_name, customer_no, customer_id)
    SELECT a.word, b.word, p_full_name, p_customer_no, p_customer_id
      FROM customer_name_word a
      JOIN customer_name_word b ON b.customer_id = a.customer_id AND b.word <> a.word
     WHERE a.customer_id = p_customer_id;
END
