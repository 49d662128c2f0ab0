-- fold_report_deltas: folds the reports' committed deltas (migrations 0121, 0122): in
-- report_revenue_part, report_collections_part and report_consumption_part, the deltas of a key (folded = 0, appended by
-- the writers) and its folded row (folded = 1) are replaced by one new folded row, their sum.
-- The report views sum every row of a key, so their figures are the same before and after a
-- fold; the fold keeps the rows few (about one per key), and the report pages fast. Run by
-- `manage.py fold_report_deltas` (a job every 5 minutes; docs/operations.md, "Scheduling").
--
-- How: one fold at a time (the report_fold row, FOR UPDATE); READ COMMITTED, so the rows are
-- read as a consistent read of what is committed, without a lock: a writer's delta that is not
-- committed yet is not seen, never waited for, and is folded by the next fold (writers only ever
-- insert deltas, and only a fold, one at a time, deletes a row or writes a folded one). Per batch
-- of at most 50,000 deltas of each table, in one transaction: the batch's deltas and the folded
-- rows of their keys are read into a temporary table, their sums per key inserted as new folded
-- rows, and the rows read deleted by id.
-- Why a loop: a batch bounds the transaction (and its undo); the loop ends when a batch finds
-- fewer deltas than its size.
-- The work tables are InnoDB, not MEMORY: a batch of 50,000 collections rows (a VARCHAR(100)
-- cashier, fixed-width in MEMORY) is over the 16 MB max_heap_table_size ("table is full").
--
-- Parameters: none. It commits a transaction the caller has open.
-- Result (one row): revenue_deltas, collections_deltas, consumption_deltas (how many deltas
--   were folded).
-- Errors: none of its own; a server error rolls the batch back and propagates.
-- Example: CALL fold_report_deltas();
CREATE PROCEDURE fold_report_deltas()
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_batch INT DEFAULT 50000;
    DECLARE v_revenue INT DEFAULT 0;
    DECLARE v_collections INT DEFAULT 0;
    DECLARE v_rev_n INT;
    DECLARE v_col_n INT;
    DECLARE v_consumption INT DEFAULT 0;
    DECLARE v_con_n INT;
    DECLARE v_locked INT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        DROP TEMPORARY TABLE IF EXISTS fold_revenue;
        DROP TEMPORARY TABLE IF EXISTS fold_collections;
        DROP TEMPORARY TABLE IF EXISTS fold_consumption;
        DROP TEMPORARY TABLE IF EXISTS fold_keys;
        DROP TEMPORARY TABLE IF EXISTS fold_collection_keys;
        RESIGNAL;
    END;

    DROP TEMPORARY TABLE IF EXISTS fold_revenue;
    CREATE TEMPORARY TABLE fold_revenue (
        part_id            BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        folded             TINYINT NOT NULL,
        month_start        DATE NOT NULL,
        tariff_version_id  INT UNSIGNED NOT NULL,
        bills              BIGINT NOT NULL,
        consumption_kwh    DECIMAL(18,4) NOT NULL,
        energy_charge      DECIMAL(16,2) NOT NULL,
        fixed_charge       DECIMAL(16,2) NOT NULL,
        discount_amount    DECIMAL(16,2) NOT NULL,
        tax_amount         DECIMAL(16,2) NOT NULL,
        late_fee           DECIMAL(16,2) NOT NULL,
        rebate_amount      DECIMAL(16,2) NOT NULL,
        total_billed       DECIMAL(16,2) NOT NULL
    ) ENGINE=InnoDB;
    DROP TEMPORARY TABLE IF EXISTS fold_collections;
    CREATE TEMPORARY TABLE fold_collections (
        part_id            BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        folded             TINYINT NOT NULL,
        day                DATE NOT NULL,
        cashier            VARCHAR(100) NOT NULL,
        method             VARCHAR(16) NOT NULL,
        payments           BIGINT NOT NULL,
        amount             DECIMAL(16,2) NOT NULL,
        reversed_payments  BIGINT NOT NULL,
        reversed_amount    DECIMAL(16,2) NOT NULL
    ) ENGINE=InnoDB;
    -- the keys of a batch, apart: MySQL cannot open a temporary table twice in one statement
    -- (an INSERT INTO fold_revenue ... FROM fold_revenue)
    DROP TEMPORARY TABLE IF EXISTS fold_keys;
    CREATE TEMPORARY TABLE fold_keys (
        month_start        DATE NOT NULL,
        key_id             INT UNSIGNED NOT NULL,
        PRIMARY KEY (month_start, key_id)
    ) ENGINE=InnoDB;
    DROP TEMPORARY TABLE IF EXISTS fold_collection_keys;
    CREATE TEMPORARY TABLE fold_collection_keys (
        day                DATE NOT NULL,
        cashier            VARCHAR(100) NOT NULL,
        method             VARCHAR(16) NOT NULL,
        PRIMARY KEY (day, cashier, method)
    ) ENGINE=InnoDB;
    DROP TEMPORARY TABLE IF EXISTS fold_consumption;
    CREATE TEMPORARY TABLE fold_consumption (
        part_id            BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        folded             TINYINT NOT NULL,
        month_start        DATE NOT NULL,
        tariff_id          INT UNSIGNED NOT NULL,
        meters             BIGINT NOT NULL,
        readings           BIGINT NOT NULL,
        consumption_kwh    DECIMAL(18,4) NOT NULL,
        in_review          BIGINT NOT NULL
    ) ENGINE=InnoDB;

    fold_loop: LOOP
        COMMIT;                              -- SET TRANSACTION needs no transaction open
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
        START TRANSACTION;
        INSERT INTO report_fold (fold_id) VALUES (1)
            ON DUPLICATE KEY UPDATE fold_id = fold_id;          -- one fold at a time
        SELECT COUNT(*) INTO v_locked FROM report_fold WHERE fold_id = 1 FOR UPDATE;

        -- consistent reads (READ COMMITTED): no lock, nothing uncommitted. The deltas first,
        -- then the folded rows of their keys (only a fold writes those, and this one holds the
        -- report_fold row).
        DELETE FROM fold_revenue;
        INSERT INTO fold_revenue
        SELECT part_id, folded, month_start, tariff_version_id, bills, consumption_kwh,
               energy_charge, fixed_charge, discount_amount, tax_amount, late_fee,
               rebate_amount, total_billed
          FROM report_revenue_part
         WHERE folded = 0 ORDER BY part_id LIMIT v_batch;
        SET v_rev_n = ROW_COUNT();
        IF v_rev_n > 0 THEN
            DELETE FROM fold_keys;
            INSERT INTO fold_keys (month_start, key_id)
            SELECT DISTINCT month_start, tariff_version_id FROM fold_revenue;
            INSERT INTO fold_revenue
            SELECT p.part_id, p.folded, p.month_start, p.tariff_version_id, p.bills,
                   p.consumption_kwh, p.energy_charge, p.fixed_charge, p.discount_amount,
                   p.tax_amount, p.late_fee, p.rebate_amount, p.total_billed
              FROM fold_keys k
              JOIN report_revenue_part p ON p.month_start = k.month_start
                                        AND p.tariff_version_id = k.key_id
             WHERE p.folded = 1;
            INSERT INTO report_revenue_part (folded, month_start, tariff_version_id, bills,
                                             consumption_kwh, energy_charge, fixed_charge,
                                             discount_amount, tax_amount, late_fee,
                                             rebate_amount, total_billed)
            SELECT 1, month_start, tariff_version_id, SUM(bills), SUM(consumption_kwh),
                   SUM(energy_charge), SUM(fixed_charge), SUM(discount_amount), SUM(tax_amount),
                   SUM(late_fee), SUM(rebate_amount), SUM(total_billed)
              FROM fold_revenue
             GROUP BY month_start, tariff_version_id;
            DELETE p FROM fold_revenue f
              STRAIGHT_JOIN report_revenue_part p ON p.part_id = f.part_id;
        END IF;

        DELETE FROM fold_collections;
        INSERT INTO fold_collections
        SELECT part_id, folded, day, cashier, method, payments, amount, reversed_payments,
               reversed_amount
          FROM report_collections_part
         WHERE folded = 0 ORDER BY part_id LIMIT v_batch;
        SET v_col_n = ROW_COUNT();
        IF v_col_n > 0 THEN
            DELETE FROM fold_collection_keys;
            INSERT INTO fold_collection_keys (day, cashier, method)
            SELECT DISTINCT day, cashier, method FROM fold_collections;
            INSERT INTO fold_collections
            SELECT p.part_id, p.folded, p.day, p.cashier, p.method, p.payments, p.amount,
                   p.reversed_payments, p.reversed_amount
              FROM fold_collection_keys k
              JOIN report_collections_part p ON p.day = k.day AND p.cashier = k.cashier
                                            AND p.method = k.method
             WHERE p.folded = 1;
            INSERT INTO report_collections_part (folded, day, cashier, method, payments, amount,
                                                 reversed_payments, reversed_amount)
            SELECT 1, day, cashier, method, SUM(payments), SUM(amount), SUM(reversed_payments),
                   SUM(reversed_amount)
              FROM fold_collections
             GROUP BY day, cashier, method;
            DELETE p FROM fold_collections f
              STRAIGHT_JOIN report_collections_part p ON p.part_id = f.part_id;
        END IF;

        DELETE FROM fold_consumption;
        INSERT INTO fold_consumption
        SELECT part_id, folded, month_start, tariff_id, meters, readings, consumption_kwh,
               in_review
          FROM report_consumption_part
         WHERE folded = 0 ORDER BY part_id LIMIT v_batch;
        SET v_con_n = ROW_COUNT();
        IF v_con_n > 0 THEN
            DELETE FROM fold_keys;
            INSERT INTO fold_keys (month_start, key_id)
            SELECT DISTINCT month_start, tariff_id FROM fold_consumption;
            INSERT INTO fold_consumption
            SELECT p.part_id, p.folded, p.month_start, p.tariff_id, p.meters, p.readings,
                   p.consumption_kwh, p.in_review
              FROM fold_keys k
              JOIN report_consumption_part p ON p.month_start = k.month_start
                                            AND p.tariff_id = k.key_id
             WHERE p.folded = 1;
            INSERT INTO report_consumption_part (folded, month_start, tariff_id, meters, readings,
                                                 consumption_kwh, in_review)
            SELECT 1, month_start, tariff_id, SUM(meters), SUM(readings), SUM(consumption_kwh),
                   SUM(in_review)
              FROM fold_consumption
             GROUP BY month_start, tariff_id;
            DELETE p FROM fold_consumption f
              STRAIGHT_JOIN report_consumption_part p ON p.part_id = f.part_id;
        END IF;

        SET v_revenue = v_revenue + v_rev_n, v_collections = v_collections + v_col_n,
            v_consumption = v_consumption + v_con_n;
        UPDATE report_fold SET folded_at = NOW() WHERE fold_id = 1;
        COMMIT;
        IF v_rev_n < v_batch AND v_col_n < v_batch AND v_con_n < v_batch THEN
            LEAVE fold_loop;
        END IF;
    END LOOP;

    DROP TEMPORARY TABLE IF EXISTS fold_revenue;
    DROP TEMPORARY TABLE IF EXISTS fold_collections;
    DROP TEMPORARY TABLE IF EXISTS fold_consumption;
    DROP TEMPORARY TABLE IF EXISTS fold_keys;
    DROP TEMPORARY TABLE IF EXISTS fold_collection_keys;
    SELECT v_revenue AS revenue_deltas, v_collections AS collections_deltas,
           v_consumption AS consumption_deltas;
END
