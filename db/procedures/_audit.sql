-- _audit: writes one event row to the audit trail (internal helper of the procedures).
--
-- The row triggers audit master data row by row; money actions are audited as events, one row
-- per action (a billing run: one at its start, one at its end, never one per bill), written by
-- the procedure in the same transaction as the action, so a rolled-back action leaves no event.
-- Called inside a procedure's transaction, it takes no lock of its own (an INSERT into
-- audit_log only).
--
-- Parameters
--   p_action      the event, at most 40 characters: payment_posted, payment_replayed,
--                 payment_reversed, billing_run_started, billing_run_finished, late_fees_applied,
--                 reading_approved, reading_rejected, refund_issued, bill_cancelled, portal_*
--                 (docs/routines.md, "The audit trail")
--   p_table       the object it concerns (payment, billing_run, reading, bill, refund, ...)
--   p_key         that object's id as text (NULL allowed for an event without one)
--   p_account_id  the account it concerns, or NULL (runs, late-fee runs)
--   p_detail      JSON: what a reader needs (amount, reason, counts, ...); stored as new_values
--   p_actor       the application actor (p_actor of the calling procedure); NULL or blank
--                 falls back to @billing_actor, then 'db:' + the session user
-- Result: none. The row's db_user is the session's USER(), whoever the definer is.
-- Errors: none of its own (a failed INSERT is the caller's error and rolls its action back).
-- Example (in a procedure, before its COMMIT):
--   CALL _audit('refund_issued', 'refund', v_refund_id, p_account_id,
--               JSON_OBJECT('amount', p_amount, 'method', p_method), p_actor);
CREATE PROCEDURE _audit(IN p_action VARCHAR(40), IN p_table VARCHAR(64), IN p_key VARCHAR(64),
                        IN p_account_id INT UNSIGNED, IN p_detail JSON, IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    INSERT INTO audit_log (table_name, row_key, account_id, action, old_values, new_values,
                           actor, db_user)
    VALUES (p_table, COALESCE(p_key, ''), p_account_id, p_action, NULL, p_detail,
            -- an actor whose first byte is printable ASCII is not blank: no _is_blank call for
            -- the usual one (a stored function call per audit row, from every audit trigger)
            LEFT(COALESCE(IF(ASCII(p_actor) BETWEEN 33 AND 126 OR NOT _is_blank(p_actor),
                             TRIM(p_actor), NULL),
                          NULLIF(@billing_actor, ''), CONCAT('db:', USER())), 100),
            LEFT(USER(), 100));
END
