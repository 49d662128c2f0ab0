-- _new_pricing_tariffs: (re)creates, empty, the tariff input of the rate engine (_price_bills):
-- bc_version (the versions, each with the day it ends: effective_to) and bc_block (their blocks,
-- lower_kwh from the previous block's up_to, upper_kwh NULL for the open block). The caller
-- fills them: a run and its preview with the tariffs' versions (_compute_bills), the tariff
-- what-if with one proposed version (simulate_tariff).
--
-- Parameters: none. Result: none (no result set). Errors: none of its own.
-- ENGINE=MEMORY: the caller sets max_heap_table_size first when the tables may grow large.
CREATE PROCEDURE _new_pricing_tariffs()
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DROP TEMPORARY TABLE IF EXISTS bc_version;
    CREATE TEMPORARY TABLE bc_version (
        tariff_version_id INT UNSIGNED  NOT NULL PRIMARY KEY,
        tariff_id         INT UNSIGNED  NOT NULL,
        effective_from    DATE          NOT NULL,
        effective_to      DATE          NOT NULL,
        fixed_charge      DECIMAL(12,2) NOT NULL,
        tax_rate_pct      DECIMAL(5,2)  NOT NULL,
        early_pay_pct     DECIMAL(5,2)  NOT NULL,
        early_pay_days    SMALLINT      NOT NULL,
        KEY ix_tariff_from (tariff_id, effective_from) USING BTREE
    ) ENGINE=MEMORY;
    DROP TEMPORARY TABLE IF EXISTS bc_block;
    CREATE TEMPORARY TABLE bc_block (
        tariff_version_id INT UNSIGNED     NOT NULL,
        block_no          TINYINT UNSIGNED NOT NULL,
        lower_kwh         DECIMAL(14,4)    NOT NULL,
        upper_kwh         DECIMAL(14,4)    NULL,
        rate              DECIMAL(12,6)    NOT NULL,
        PRIMARY KEY (tariff_version_id, block_no) USING BTREE
    ) ENGINE=MEMORY;
END
