-- customer_address_words_delete: a customer that is deleted takes its address words out of
-- customer_address_word (migration 0130). (No procedure deletes a customer; this keeps the
-- search right for direct SQL.)
-- Errors: none of its own.
-- Example: DELETE FROM customer WHERE customer_id = 7;
CREATE TRIGGER customer_address_words_delete AFTER DELETE ON customer
FOR EACH ROW
BEGIN
    DELETE FROM customer_address_word WHERE customer_id = OLD.customer_id;
END
