-- customer_address_words_insert: a new customer's postal address words go into
-- customer_address_word (migration 0130; account_id 0), the staff search's ordered index of
-- addresses by word (billing.selectors.search_customers).
--
--   The words are written by _index_address (what a word is: there). Fires for every insert,
--   the procedures' and direct SQL's alike.
-- Errors: none of its own.
-- Example: INSERT INTO customer (customer_no, full_name, address) VALUES ('C9', 'Ada', '1 Elm St');
--          SELECT word FROM customer_address_word WHERE customer_id = LAST_INSERT_ID();
CREATE TRIGGER customer_address_words_insert AFTER INSERT ON customer
FOR EACH ROW
BEGIN
    CALL _index_address(NEW.customer_id, 0, NEW.full_name, NEW.customer_no, NEW.address);
END
