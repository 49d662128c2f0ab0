-- customer_name_words_update: a customer's name in the staff search's word tables follows a
-- change of the name or of the customer number (billing.selectors.search_customers).
--
--   customer_name_word (migration 0117) and customer_name_pair (migration 0135): the
--   customer's rows are deleted and written again from the new name by _index_customer_name,
--   as customer_name_words_insert does.
--   customer_address_word (migration 0130): the new name and number are written beside every
--   address word of the customer (its postal address's and its accounts' service addresses'),
--   so they stay in the search page's order. A new postal address is
--   customer_address_words_update's.
--   An UPDATE that leaves both columns as they were (compared as bytes: a change of letter
--   case rewrites the rows too) does nothing.
-- Errors: none of its own.
-- Example: UPDATE customer SET full_name = 'Ada King' WHERE customer_id = 1;
--          SELECT word FROM customer_name_word WHERE customer_id = 1;
--          SELECT word, other FROM customer_name_pair WHERE customer_id = 1;
CREATE TRIGGER customer_name_words_update AFTER UPDATE ON customer
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.full_name AS BINARY) <=> CAST(NEW.full_name AS BINARY)
       AND CAST(OLD.customer_no AS BINARY) <=> CAST(NEW.customer_no AS BINARY)
       AND OLD.customer_id <=> NEW.customer_id) THEN
        DELETE FROM customer_name_word WHERE customer_id = OLD.customer_id;
        DELETE FROM customer_name_pair WHERE customer_id = OLD.customer_id;
        CALL _index_customer_name(NEW.customer_id, NEW.full_name, NEW.customer_no);
        UPDATE customer_address_word
           SET full_name = NEW.full_name, customer_no = NEW.customer_no,
               customer_id = NEW.customer_id
         WHERE customer_id = OLD.customer_id;
    END IF;
END
