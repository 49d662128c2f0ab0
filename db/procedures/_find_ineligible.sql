-- _find_ineligible: the accounts of the temporary table billing_chunk that _compute_bills did not
-- consider at all (no bc_acct row), each with why: ACCOUNT_NOT_OPEN (no day of service in the
-- period), NO_METER (no meter installed on be) or ALREADY_BILLED (a bill that is not cancelled
-- for an overlapping period). bill_account records them as exceptions, and so does its preview;
-- a run leaves them out (its candidates were chosen just before: these are accounts another run
-- billed in the meantime).
--
-- Parameters
--   p_period_start, p_period_end  the period
-- Result: none (no result set); the temporary table bc_ineligible (account_id, code, detail).
-- Errors: whatever a statement raises.
CREATE PROCEDURE _find_ineligible(IN p_period_start DATE, IN p_period_end DATE)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DROP TEMPORARY TABLE IF EXISTS bc_ineligible;
    CREATE TEMPORARY TABLE bc_ineligible (
        account_id INT UNSIGNED NOT NULL PRIMARY KEY,
        code       VARCHAR(30)  CHARACTER SET ascii NOT NULL,
        detail     VARCHAR(200) CHARACTER SET ascii NOT NULL
    ) ENGINE=MEMORY;
    -- the reason is found once (x.code), its text follows from it
    INSERT INTO bc_ineligible (account_id, code, detail)
    SELECT x.account_id, x.code,
           CASE x.code
                WHEN 'ACCOUNT_NOT_OPEN' THEN CONCAT('the account is not open on ', p_period_end)
                WHEN 'NO_METER' THEN CONCAT('no meter is installed on ', x.be)
                ELSE CONCAT('already billed for a period overlapping ', p_period_start, '..', p_period_end) END
    FROM (SELECT a.account_id, LEAST(p_period_end, COALESCE(a.closed_on, p_period_end)) AS be,
                 CASE WHEN a.opened_on > p_period_end OR a.closed_on < p_period_start
                           OR a.closed_on < a.opened_on THEN 'ACCOUNT_NOT_OPEN'
                      WHEN NOT EXISTS (SELECT 1 FROM meter_installation mi
                                       WHERE mi.account_id = a.account_id
                                         AND mi.installed_on <= LEAST(p_period_end, COALESCE(a.closed_on, p_period_end))
                                         AND (mi.removed_on IS NULL
                                              OR mi.removed_on >= LEAST(p_period_end, COALESCE(a.closed_on, p_period_end))))
                           THEN 'NO_METER'
                      ELSE 'ALREADY_BILLED' END AS code
          FROM billing_chunk c
          JOIN account a ON a.account_id = c.account_id
          WHERE NOT EXISTS (SELECT 1 FROM bc_acct t WHERE t.account_id = c.account_id)) x;
END
