-- _index_address: writes the words of one address into customer_address_word (migration 0130),
-- the staff search's ordered index of addresses by word (billing.selectors.search_customers).
-- Called by the triggers customer_address_words_* (a customer's postal address) and
-- account_address_words_* (an account's service address).
--
--   A word is a run of letters, digits and underscores of 3 to 84 characters, as InnoDB's
--   FULLTEXT parser takes it (any other character separates words); a word twice in the
--   address is one row (the duplicate key updates nothing). A NULL address writes nothing.
--
-- Parameters
--   p_customer_id   the customer the address belongs to (an account's: its customer)
--   p_account_id    0 for the customer's postal address, else the account's id
--   p_full_name     the customer's name, kept beside each word (the page's order)
--   p_customer_no   the customer's number, the same
--   p_address       the address whose words are written
-- Result: none. Errors: none of its own.
-- Example: CALL _index_address(1, 0, 'Ada Lovelace', 'C000001', '12 St James''s Square, London');
CREATE PROCEDURE _index_address(IN p_customer_id INT UNSIGNED, IN p_account_id INT UNSIGNED,
                                IN p_full_name VARCHAR(200), IN p_customer_no VARCHAR(12),
                                IN p_address VARCHAR(500))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    INSERT INTO customer_address_word (word, full_name, customer_no, customer_id, account_id)
    SELECT w.word, p_full_name, p_customer_no, p_customer_id, p_account_id
      FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(p_address, '[^[:alnum:]_]+', ' ')),
                                           ' ', '","'), '"]'),
                      '$[*]' COLUMNS (word VARCHAR(200) PATH '$')) w
     WHERE p_address IS NOT NULL AND CHAR_LENGTH(w.word) BETWEEN 3 AND 84
    ON DUPLICATE KEY UPDATE account_id = customer_address_word.account_id;
END
