-- account_address_words_delete: an account that is deleted takes its service address words out
-- of customer_address_word (migration 0130). (Accounts are closed, not deleted, by every
-- procedure; this keeps the search right for direct SQL.)
-- Errors: none of its own.
-- Example: DELETE FROM account WHERE account_id = 9;
CREATE TRIGGER account_address_words_delete AFTER DELETE ON account
FOR EACH ROW
BEGIN
    DELETE FROM customer_address_word
     WHERE customer_id = OLD.customer_id AND account_id = OLD.account_id;
END
