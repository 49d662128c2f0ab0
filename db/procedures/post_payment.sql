-- post_payment: posts a customer's payment to an account and allocates it to the open bills.
--
-- Parameters
--   p_account_id       the account paid into
--   p_amount           the amount: above 0, at most 1,000,000.00, at most two decimals (declared
--                      with more decimals than money so that a third decimal is seen and refused)
--   p_method           cash, card, cheque, bank_transfer or online
--   p_paid_at          when the customer paid; NULL means now. DATE(paid_at) is the payment date
--                      of the rebate rule and of the ledger entry
--   p_idempotency_key  the caller's key for this payment (at most 100 characters); NULL means
--                      the procedure makes one ('auto:' + a UUID), i.e. no replay protection
--   p_actor            who acts (staff:<username>, customer:<customer_no>, batch:<job>)
-- Result (one row): payment_id, receipt_no, allocated, unallocated, balance_after, replayed
--   allocated      money of this payment put on bills; unallocated = amount - allocated, kept
--                  as account credit
--   balance_after  the account's balance (sum of its ledger) right after the posting; negative
--                  is credit
--   replayed       0 for a new posting; 1 when the key was used before for the same account
--                  and amount: nothing is posted and the first payment is answered (payment_id,
--                  receipt_no as then; allocated, unallocated, balance_after as they are now)
-- Errors
--   45001 no account with that id            45002 bad method, empty actor, empty or long key
--   45020 amount NULL, <= 0, over 1,000,000.00 or with more than two decimals
--   45021 the account is closed              45022 the key was used for another account or amount
-- Locks (docs/payments.md): the idempotency key is looked up first without locks; then, in one
-- transaction, the account row, its bills, the new payment. Two calls racing with the same key:
-- the second waits on the account lock (or on the unique key of payment.idempotency_key), gets
-- duplicate key 1062 on its INSERT, rolls back and answers as a replay.
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _post_payment: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example:
--   CALL post_payment(7, 120.50, 'card', NULL, 'web:9f1c2e', 'customer:C000123');
CREATE PROCEDURE post_payment(IN p_account_id LONGTEXT,
                              IN p_amount LONGTEXT,
                              IN p_method LONGTEXT,
                              IN p_paid_at LONGTEXT,
                              IN p_idempotency_key LONGTEXT,
                              IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _post_payment(_arg_int(p_account_id, 'account_id', 0, 4294967295, 45001),
                       _arg_decimal(p_amount, 'amount', 20, 10, 45020),
                       _arg_text(p_method, 'method', 100),
                       _arg_datetime(p_paid_at, 'paid_at'),
                       _arg_text(p_idempotency_key, 'idempotency_key', 255),
                       _arg_text(p_actor, 'actor', 100));
END
