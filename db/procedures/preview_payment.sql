-- preview_payment: what a payment of this amount would do now, without posting it (not in the
-- contract; the portal's pay form says "you will keep a credit of ..." from it). Reads only.
--
-- post_payment's rule (billing-rules.md, "Payments"): the money goes to the account's open
-- bills, each needing its open amount less the early-payment rebate on offer today; what they
-- need in all is allocated (whatever their order) and the rest stays on the account as credit.
-- A plain read: a payment posted meanwhile can change the answer; post_payment decides.
--
-- Parameters
--   p_account_id  the account
--   p_amount      the amount (post_payment's limits: above 0, at most 1000000.00, two decimals)
--   p_actor       who asks (required, as for every procedure; nothing is written)
-- Result (one row): account_id, amount, allocated (to the open bills), credit (left on the
--   account), rebates (how many early-payment rebates it would earn)
-- Errors: 45001 no such account; 45020 amount out of range; 45002 no account id, blank actor
-- Example: CALL preview_payment(7, '150.00', 'portal:c1');
CREATE PROCEDURE preview_payment(IN p_account_id LONGTEXT, IN p_amount LONGTEXT,
                                 IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    READS SQL DATA
BEGIN
    DECLARE v_account_id INT UNSIGNED
        DEFAULT _arg_int(p_account_id, 'account_id', 0, 4294967295, 45001);
    DECLARE v_amount DECIMAL(30,10) DEFAULT _arg_decimal(p_amount, 'amount', 20, 10, 45020);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE v_found INT;

    IF v_amount IS NULL OR v_amount <= 0 OR v_amount > 1000000 OR v_amount <> ROUND(v_amount, 2) THEN
        CALL _fail(45020, CONCAT('amount must be above 0, at most 1000000.00 and have at most two decimals, not ',
                                  COALESCE(LEFT(_decimal_text(v_amount, 2), 32), 'NULL')));
    END IF;
    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_account_id IS NULL THEN
        CALL _fail(45002, 'account_id is required');
    END IF;
    SELECT COUNT(*) INTO v_found FROM account WHERE account_id = v_account_id;
    IF v_found = 0 THEN
        CALL _fail(45001, CONCAT('no account with id ', v_account_id));
    END IF;

    SELECT v_account_id AS account_id, CAST(v_amount AS DECIMAL(12,2)) AS amount,
           CAST(LEAST(v_amount, COALESCE(SUM(n.needed), 0)) AS DECIMAL(12,2)) AS allocated,
           CAST(v_amount - LEAST(v_amount, COALESCE(SUM(n.needed), 0)) AS DECIMAL(12,2)) AS credit,
           COALESCE(SUM(n.rebate > 0 AND v_amount >= n.upto), 0) AS rebates
      FROM (SELECT b.total_amount - b.amount_paid - r.rebate AS needed, r.rebate,
                   SUM(b.total_amount - b.amount_paid - r.rebate)
                       OVER (ORDER BY b.due_date, b.bill_id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto
              FROM bill b
              JOIN (SELECT x.bill_id,
                           IF(CURRENT_DATE <= x.rebate_date AND x.rebate_granted = 0
                              AND x.rebate_amount > 0
                              AND x.total_amount - x.amount_paid > x.rebate_amount,
                              x.rebate_amount, 0) AS rebate
                      FROM bill x
                     WHERE x.account_id = v_account_id AND x.cancelled_at IS NULL
                       AND x.amount_paid < x.total_amount) r ON r.bill_id = b.bill_id) n;
END
