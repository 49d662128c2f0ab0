-- customer_name_words_insert: a new customer's name words go into customer_name_word (migration
-- 0117), the staff search's ordered index of names by word (billing.selectors.search_customers).
--
--   The words are written by _index_customer_name (what a word is: there). Fires for every
--   insert, the procedures' and direct SQL's alike.
-- Errors: none of its own.
-- Example: INSERT INTO customer (customer_no, full_name) VALUES ('C9', 'Ada Lovelace');
--          SELECT word FROM customer_name_word WHERE customer_id = LAST_INSERT_ID();
CREATE TRIGGER customer_name_words_insert AFTER INSERT ON customer
FOR EACH ROW
BEGIN
    CALL _index_customer_name(NEW.customer_id, NEW.full_name, NEW.customer_no);
END
