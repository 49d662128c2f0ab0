-- account_address_words_insert: a new account's service address words go into
-- customer_address_word (migration 0130; account_id the account's), with its customer's name
-- and number, for the staff search (billing.selectors.search_customers).
--
--   The words are written by _index_address (what a word is: there). Fires for every insert,
--   the procedures' and direct SQL's alike.
-- Errors: none of its own.
-- Example: CALL open_account(7, 'RES', '3 Oak Road', '2026-01-01', 'staff:ann');
--          SELECT word FROM customer_address_word WHERE account_id = LAST_INSERT_ID();
CREATE TRIGGER account_address_words_insert AFTER INSERT ON account
FOR EACH ROW
BEGIN
    CALL _index_account_address(NEW.customer_id, NEW.account_id, NEW.service_address);
END
