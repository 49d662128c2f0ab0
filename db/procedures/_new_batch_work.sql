-- _new_batch_work: (re)creates the session's work tables of post_payment_batch (internal
-- helper), empty. Called once per post_payment_batch call, outside its transactions.
--
--   batch_window   one row per pending line of the chunk being posted: its account, whether
--                  it can go the set-based way ("plain", see post_payment_batch) and, for a
--                  plain line, its values converted as post_payment would convert them and
--                  the payment it got
--   batch_account  the chunk's accounts, in account id order (InnoDB, so that a scan of its
--                  primary key, and the locks taken from it, follow that order)
--   batch_alloc    the allocation plan of a segment of plain lines: one row per line and bill
--                  that gets money, as _allocation_plan would plan it line by line
-- Parameters: none. Result: none. Errors: none of its own.
-- Example: CALL _new_batch_work();
CREATE PROCEDURE _new_batch_work()
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DROP TEMPORARY TABLE IF EXISTS batch_window;
    CREATE TEMPORARY TABLE batch_window (
        line_no     INT UNSIGNED  NOT NULL,
        account_id  INT UNSIGNED  NULL,
        plain       TINYINT       NOT NULL,
        amount      DECIMAL(12,2) NULL,
        method      VARCHAR(20)   NULL,
        paid_at     DATETIME      NULL,
        pay_key     VARCHAR(100)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
        payment_id  INT UNSIGNED  NULL,
        allocated   DECIMAL(12,2) NULL,
        PRIMARY KEY (line_no) USING BTREE
    ) ENGINE=MEMORY;

    DROP TEMPORARY TABLE IF EXISTS batch_account;
    CREATE TEMPORARY TABLE batch_account (
        account_id  INT UNSIGNED NOT NULL,
        PRIMARY KEY (account_id)
    ) ENGINE=InnoDB;

    DROP TEMPORARY TABLE IF EXISTS batch_alloc;
    CREATE TEMPORARY TABLE batch_alloc (
        line_no         INT UNSIGNED      NOT NULL,
        seq             INT UNSIGNED      NOT NULL,
        account_id      INT UNSIGNED      NOT NULL,
        bill_id         INT UNSIGNED      NOT NULL,
        alloc           DECIMAL(12,2)     NOT NULL,
        rebate          DECIMAL(12,2)     NOT NULL,
        rebate_line_no  SMALLINT UNSIGNED NULL,
        paid_on         DATE              NOT NULL,
        payment_id      INT UNSIGNED      NULL,
        PRIMARY KEY (line_no, seq) USING BTREE
    ) ENGINE=MEMORY;
END
