-- _new_pricing_bills: (re)creates, empty, bc_price, the bills the rate engine (_price_bills)
-- prices: price_key (the account in a run, the bill in a simulation), variant (0 the bill,
-- 1 an alternative pricing of it), account_id (whose discounts apply), bill_id (a bill priced
-- again: its own discounts apply, bill_discount; NULL: the account's discounts valid on be),
-- tariff_id, bs, be, D (d_days), P (p_days), C (consumption); _price_bills writes
-- version_on_be, energy, fixed, discounts, tax and total. Used by _compute_bills and
-- simulate_tariff.
--
-- Parameters: none. Result: none (no result set). Errors: none of its own.
-- ENGINE=MEMORY: the caller sets max_heap_table_size first when the table may grow large.
CREATE PROCEDURE _new_pricing_bills()
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DROP TEMPORARY TABLE IF EXISTS bc_price;
    CREATE TEMPORARY TABLE bc_price (
        price_key     INT UNSIGNED  NOT NULL,
        variant       TINYINT       NOT NULL,
        account_id    INT UNSIGNED  NOT NULL,
        bill_id       INT UNSIGNED  NULL,
        tariff_id     INT UNSIGNED  NOT NULL,
        bs            DATE          NOT NULL,
        be            DATE          NOT NULL,
        d_days        SMALLINT      NOT NULL,
        p_days        SMALLINT      NOT NULL,
        consumption   DECIMAL(14,4) NOT NULL,
        version_on_be INT UNSIGNED  NULL,
        energy        DECIMAL(12,2) NOT NULL DEFAULT 0,
        fixed         DECIMAL(12,2) NOT NULL DEFAULT 0,
        discounts     DECIMAL(12,2) NOT NULL DEFAULT 0,
        tax           DECIMAL(12,2) NOT NULL DEFAULT 0,
        total         DECIMAL(12,2) NULL,
        PRIMARY KEY (price_key, variant) USING BTREE
    ) ENGINE=MEMORY;
END
