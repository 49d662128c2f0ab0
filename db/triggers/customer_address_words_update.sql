-- customer_address_words_update: keeps customer_address_word (migration 0130) right when a
-- customer's name, number or postal address changes.
--
--   A new name or number is written beside every address word of the customer (its postal
--   address's and its accounts' service addresses'), so they stay in the search page's order;
--   a new postal address replaces its words (account_id 0). Any other update writes nothing.
-- Errors: none of its own.
-- Example: CALL update_customer(7, 'Ada King', NULL, NULL, '2 Elm St', 'staff:ann');
--          SELECT word, full_name FROM customer_address_word WHERE customer_id = 7;
CREATE TRIGGER customer_address_words_update AFTER UPDATE ON customer
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.full_name AS BINARY) <=> CAST(NEW.full_name AS BINARY)
       AND CAST(OLD.customer_no AS BINARY) <=> CAST(NEW.customer_no AS BINARY)
       AND OLD.customer_id <=> NEW.customer_id) THEN
        UPDATE customer_address_word
           SET full_name = NEW.full_name, customer_no = NEW.customer_no,
               customer_id = NEW.customer_id
         WHERE customer_id = OLD.customer_id;
    END IF;
    IF NOT (CAST(OLD.address AS BINARY) <=> CAST(NEW.address AS BINARY)
       AND OLD.customer_id <=> NEW.customer_id) THEN
        DELETE FROM customer_address_word WHERE customer_id = NEW.customer_id AND account_id = 0;
        CALL _index_address(NEW.customer_id, 0, NEW.full_name, NEW.customer_no, NEW.address);
    END IF;
END
