-- _apply_credits: puts the credit already on the chunk's accounts on their open bills, all
-- accounts at once, inside the billing chunk's transaction (internal helper of _store_bills).
--
-- The rule (billing-rules.md, "Bill totals", credit at issue) is _allocate_payment's, applied
-- to each credit payment of an account in payment id order with p_on as the payment date: the
-- money goes to the open bills by due_date, bill_id; a bill's need is its open amount less the
-- early-payment rebate when available on p_on; the rebate is granted to the bill whose need
-- the money covers in full. Applied one payment after the other, that is the same as laying
-- the account's credits end to end (in payment id order) against its bills' needs end to end
-- (in due order) and giving each payment the overlap of its stretch with each bill's: a bill
-- partly paid by one payment keeps its rebate available for the next (its open amount stays
-- above the rebate until its need is met), so the needs never change in between. One
-- statement per table written, instead of a cursor over the payments (which cost about as
-- much as the rest of a billing chunk where a fifth of the accounts carried credit).
--
-- The caller holds the chunk's accounts (and its new bills); this locks the credit accounts'
-- open bills, then their credit payments (the contract's order: account, bills, payments).
-- Rows are written in the order the payment-by-payment loop wrote them: by account, payment
-- id, then the bills' order. The granted rebates go into the revenue report's delta
-- (report_revenue_part, migration 0121), one row per month and tariff version.
--
-- Parameters
--   p_on     the issue date: the payment date for the rebate rule, the rebates' ledger date
--   p_actor  who acts (the ledger rows' actor)
-- Reads bc_acct (the chunk's accounts; those with exception_code NULL were billed).
-- Result: none. Errors: none of its own; a server error propagates.
-- Example: CALL _apply_credits('2026-03-01', 'batch:billing');
CREATE PROCEDURE _apply_credits(IN p_on DATE, IN p_actor VARCHAR(100))
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_locked INT;

    -- each credit payment's stretch of its account's credit: (upto - credit, upto]. Read from
    -- the chunk's accounts (held: nobody else can change their payments) by the credit index
    DROP TEMPORARY TABLE IF EXISTS bc_credit;
    CREATE TEMPORARY TABLE bc_credit (
        payment_id  INT UNSIGNED  NOT NULL,
        account_id  INT UNSIGNED  NOT NULL,
        credit      DECIMAL(12,2) NOT NULL,
        upto        DECIMAL(14,2) NOT NULL,
        PRIMARY KEY (payment_id) USING BTREE
    ) ENGINE=MEMORY;
    INSERT INTO bc_credit (payment_id, account_id, credit, upto)
    SELECT p.payment_id, p.account_id, p.amount - p.amount_allocated - p.amount_refunded,
           SUM(p.amount - p.amount_allocated - p.amount_refunded)
               OVER (PARTITION BY p.account_id ORDER BY p.payment_id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    FROM bc_acct t
    STRAIGHT_JOIN payment p FORCE INDEX (ix_payment_credit) ON p.credit_account_id = t.account_id
    WHERE t.exception_code IS NULL
      AND p.amount - p.amount_allocated - p.amount_refunded > 0;

    IF ROW_COUNT() > 0 THEN
        -- the credit accounts' open bills, then their credit payments, locked; each from the
        -- chunk's own rows by index (a scan of bill would read, and lock, every account's)
        SELECT COUNT(*) INTO v_locked
        FROM (SELECT DISTINCT c.account_id FROM bc_credit c) a
        STRAIGHT_JOIN bill b FORCE INDEX (uk_bill_account_period) ON b.account_id = a.account_id
        WHERE b.cancelled_at IS NULL AND b.amount_paid < b.total_amount
        FOR UPDATE;
        SELECT COUNT(*) INTO v_locked
        FROM bc_credit c
        STRAIGHT_JOIN payment p FORCE INDEX (PRIMARY) ON p.payment_id = c.payment_id
        FOR UPDATE;

        -- each open bill's stretch of its account's needs: (upto - needed, upto]
        DROP TEMPORARY TABLE IF EXISTS bc_open;
        CREATE TEMPORARY TABLE bc_open (
            bill_id     INT UNSIGNED  NOT NULL,
            account_id  INT UNSIGNED  NOT NULL,
            seq         INT UNSIGNED  NOT NULL,
            rebate      DECIMAL(12,2) NOT NULL,
            needed      DECIMAL(12,2) NOT NULL,
            upto        DECIMAL(14,2) NOT NULL,
            PRIMARY KEY (bill_id) USING BTREE
        ) ENGINE=MEMORY;
        INSERT INTO bc_open (bill_id, account_id, seq, rebate, needed, upto)
        SELECT o.bill_id, o.account_id,
               ROW_NUMBER() OVER (PARTITION BY o.account_id ORDER BY o.due_date, o.bill_id),
               o.rebate, o.open_amount - o.rebate,
               SUM(o.open_amount - o.rebate)
                   OVER (PARTITION BY o.account_id ORDER BY o.due_date, o.bill_id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        FROM (SELECT b.bill_id, b.account_id, b.due_date, b.total_amount - b.amount_paid AS open_amount,
                     IF(p_on <= b.rebate_date AND b.rebate_granted = 0 AND b.rebate_amount > 0
                        AND b.total_amount - b.amount_paid > b.rebate_amount,
                        b.rebate_amount, 0) AS rebate
              FROM bc_acct t
              STRAIGHT_JOIN bill b FORCE INDEX (uk_bill_account_period) ON b.account_id = t.account_id
              WHERE t.exception_code IS NULL
                AND t.account_id IN (SELECT c.account_id FROM bc_credit c)
                AND b.cancelled_at IS NULL AND b.amount_paid < b.total_amount) o;

        -- what each payment gives each bill: the overlap of their stretches; the rebate goes with
        -- the payment whose stretch holds the end of the bill's (it meets the need in full)
        DROP TEMPORARY TABLE IF EXISTS bc_take;
        CREATE TEMPORARY TABLE bc_take (
            payment_id  INT UNSIGNED      NOT NULL,
            bill_id     INT UNSIGNED      NOT NULL,
            account_id  INT UNSIGNED      NOT NULL,
            seq         INT UNSIGNED      NOT NULL,
            alloc       DECIMAL(12,2)     NOT NULL,
            rebate      DECIMAL(12,2)     NOT NULL,
            line_no     SMALLINT UNSIGNED NULL,
            PRIMARY KEY (payment_id, bill_id) USING BTREE
        ) ENGINE=MEMORY;
        INSERT INTO bc_take (payment_id, bill_id, account_id, seq, alloc, rebate, line_no)
        SELECT x.payment_id, x.bill_id, x.account_id, x.seq, x.alloc, x.rebate,
               IF(x.rebate > 0, (SELECT COALESCE(MAX(l.line_no), 0) + 1 FROM bill_line l
                                 WHERE l.bill_id = x.bill_id), NULL)
        FROM (SELECT c.payment_id, o.bill_id, o.account_id, o.seq,
                     LEAST(c.upto, o.upto) - GREATEST(c.upto - c.credit, o.upto - o.needed) AS alloc,
                     IF(o.upto <= c.upto, o.rebate, 0) AS rebate
              FROM bc_credit c
              JOIN bc_open o ON o.account_id = c.account_id
              WHERE LEAST(c.upto, o.upto) > GREATEST(c.upto - c.credit, o.upto - o.needed)) x;

        INSERT INTO payment_allocation (payment_id, bill_id, amount)
        SELECT k.payment_id, k.bill_id, k.alloc
        FROM bc_take k
        ORDER BY k.account_id, k.payment_id, k.seq;

        INSERT INTO bill_line (bill_id, line_no, kind, description, amount)
        SELECT k.bill_id, k.line_no, 'rebate', 'Early-payment rebate', -k.rebate
        FROM bc_take k
        WHERE k.rebate > 0
        ORDER BY k.account_id, k.payment_id, k.seq;

        INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)
        SELECT k.account_id, 'rebate', -k.rebate, k.bill_id, p_on, p_actor
        FROM bc_take k
        WHERE k.rebate > 0
        ORDER BY k.account_id, k.payment_id, k.seq;

        -- the bills' cached totals (one UPDATE per bill row: all its money at once, so
        -- amount_paid <= total_amount holds when the row is checked), then the payments'
        UPDATE (SELECT k.bill_id, SUM(k.alloc) AS alloc, SUM(k.rebate) AS rebate
                FROM bc_take k GROUP BY k.bill_id) s
        STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = s.bill_id
        SET b.amount_paid = b.amount_paid + s.alloc,
            b.total_amount = b.total_amount - s.rebate,
            b.rebate_granted = IF(s.rebate > 0, 1, b.rebate_granted);
        UPDATE (SELECT k.payment_id, SUM(k.alloc) AS alloc FROM bc_take k GROUP BY k.payment_id) s
        STRAIGHT_JOIN payment p FORCE INDEX (PRIMARY) ON p.payment_id = s.payment_id
        SET p.amount_allocated = p.amount_allocated + s.alloc;

        -- the revenue report's figures (report_revenue_part, migration 0121): the granted
        -- rebates by the month and tariff version of their bills (rows this session holds)
        INSERT INTO report_revenue_part (month_start, tariff_version_id, rebate_amount, total_billed)
        SELECT r.month_start, r.tariff_version_id, -SUM(r.rebate), -SUM(r.rebate)
        FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
                     b.tariff_version_id, k.rebate
              FROM bc_take k
              STRAIGHT_JOIN bill b FORCE INDEX (PRIMARY) ON b.bill_id = k.bill_id
              WHERE k.rebate > 0 AND b.cancelled_at IS NULL) r
        GROUP BY r.month_start, r.tariff_version_id;
    END IF;
END
