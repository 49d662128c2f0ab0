-- account_address_words_update: keeps customer_address_word (migration 0130) right when an
-- account's service address changes or the account moves to another customer.
--
--   The account's words are replaced (read again with its customer's name and number). Any
--   other update (a tariff, closing the account) writes nothing.
-- Errors: none of its own.
-- Example: UPDATE account SET service_address = '4 Oak Road' WHERE account_id = 9;
--          SELECT word FROM customer_address_word WHERE account_id = 9;
CREATE TRIGGER account_address_words_update AFTER UPDATE ON account
FOR EACH ROW
BEGIN
    IF NOT (CAST(OLD.service_address AS BINARY) <=> CAST(NEW.service_address AS BINARY)
       AND OLD.customer_id <=> NEW.customer_id AND OLD.account_id <=> NEW.account_id) THEN
        DELETE FROM customer_address_word
         WHERE customer_id = OLD.customer_id AND account_id = OLD.account_id;
        CALL _index_account_address(NEW.customer_id, NEW.account_id, NEW.service_address);
    END IF;
END
