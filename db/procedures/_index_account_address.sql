-- _index_account_address: writes the words of an account's service address into
-- customer_address_word (migration 0130) with its customer's name and number (read here), for
-- the triggers account_address_words_insert and account_address_words_update.
--
-- Parameters
--   p_customer_id   the account's customer
--   p_account_id    the account
--   p_address       its service address
-- Result: none. Errors: none of its own.
-- Example: CALL _index_account_address(7, 9, '3 Oak Road');
CREATE PROCEDURE _index_account_address(IN p_customer_id INT UNSIGNED,
                                        IN p_account_id INT UNSIGNED,
                                        IN p_address VARCHAR(500))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_full_name VARCHAR(200);
    DECLARE v_customer_no VARCHAR(12);
    SELECT full_name, customer_no INTO v_full_name, v_customer_no
      FROM customer WHERE customer_id = p_customer_id;
    CALL _index_address(p_customer_id, p_account_id, v_full_name, v_customer_no, p_address);
END
