-- customer_address_words_update: a customer's new postal address replaces its words in
-- customer_address_word (migration 0130; account_id 0), the staff search's ordered index of
-- addresses by word. (A new name or number is written beside the address words by
-- customer_name_words_update.)
--
--   The words are written by _index_address (what a word is: there), with the customer's name
--   and number as they are now. An UPDATE that leaves the address as it was (compared as
--   bytes) does nothing.
-- Errors: none of its own.
-- Example: CALL update_customer(7, 'Ada King', NULL, NULL, '2 Elm St', 'staff:ann');
--          SELECT word FROM customer_address_word WHERE customer_id = 7 AND account_id = 0;
CREATE TRIGGER customer_address_words_update AFTER UPDATE ON customer
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.address AS BINARY) <=> CAST(NEW.address AS BINARY)
       AND OLD.customer_id <=> NEW.customer_id) THEN
        DELETE FROM customer_address_word
         WHERE customer_id IN (OLD.customer_id, NEW.customer_id) AND account_id = 0;
        CALL _index_address(NEW.customer_id, 0, NEW.full_name, NEW.customer_no, NEW.address);
    END IF;
END
