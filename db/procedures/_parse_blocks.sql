-- _parse_blocks: checks a tariff version's blocks (the p_blocks JSON of add_tariff_version and
-- simulate_tariff) and leaves them, parsed, in the temporary table parsed_blocks.
--
-- Parameters
--   p_blocks  JSON array of blocks, lowest first:
--             [{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.18}]
--             up_to_kwh: a number above zero (at most 4 decimals), strictly increasing;
--             null (or left out) only in the last block, which must be open, so that
--             every kWh has a rate. rate: a number >= 0 (money per kWh, at most 6
--             decimals). At most 255 blocks. JSON numbers only: "0.12" is refused. No
--             other key, and neither key twice.
--             Read exactly as written (0.12345600000000000001 is refused as more
--             than 6 decimals on MySQL too, which parses it as a DOUBLE); with an
--             exponent (1e2): at most 8 characters before the e, exponent >= -4.
-- Result: no result set. The temporary table parsed_blocks (block_no, lower_kwh, up_to_kwh,
--   rate), one row per block, re-created by every call; lower_kwh is the previous block's
--   up_to_kwh (0 for the first), as _price_bills' bc_block wants it.
-- Errors: 45031 TARIFF_INVALID_BLOCKS (the first problem found, naming the block).
-- Reads no table, writes only parsed_blocks, starts no transaction: the caller calls it before
-- its own transaction.
-- Example: CALL _parse_blocks('[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.18}]');
--          SELECT * FROM parsed_blocks;
CREATE PROCEDURE _parse_blocks(IN p_blocks LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_bad_block INT;
    DECLARE v_problem VARCHAR(100);

    -- the blocks: a JSON array of 1..255 objects
    IF _is_blank(p_blocks) THEN
        CALL _fail(45031, 'blocks are required');
    END IF;
    IF NOT JSON_VALID(p_blocks) THEN
        CALL _fail(45031, 'blocks are not valid JSON');
    END IF;
    IF JSON_TYPE(p_blocks) <> 'ARRAY' THEN
        CALL _fail(45031, 'blocks must be a JSON array');
    END IF;
    IF JSON_LENGTH(p_blocks) = 0 THEN
        CALL _fail(45031, 'blocks are empty: at least one (open) block is required');
    END IF;
    IF JSON_LENGTH(p_blocks) > 255 THEN
        CALL _fail(45031, 'at most 255 blocks');
    END IF;
    -- the first block with a problem, if any (numbers are cast only once known to be numbers)
    SELECT n, problem INTO v_bad_block, v_problem
      FROM (SELECT n,
                   CASE
                   WHEN et <> 'OBJECT' THEN 'is not a JSON object'
                   -- members beyond the two keys: another key, or one of them twice (MariaDB
                   -- keeps the first of a duplicated key, MySQL the last: refused, not guessed)
                   WHEN kn > (ut IS NOT NULL) + (rt IS NOT NULL)
                       THEN 'has a key other than up_to_kwh and rate, or one of them twice'
                   WHEN NOT (ut IS NULL OR ut = 'NULL' OR up IS NOT NULL)
                       THEN 'up_to_kwh is not a number'
                   WHEN rt IS NULL OR rt = 'NULL' THEN 'has no rate'
                   WHEN rate IS NULL THEN 'rate is not a number'
                   WHEN rate < 0 THEN 'rate is negative'
                   WHEN rate >= 1000000 OR rate <> ROUND(rate, 6)
                       THEN 'rate is too large or has more than 6 decimals'
                   WHEN up <= 0 THEN 'up_to_kwh must be above zero'
                   WHEN up >= 10000000000 OR up <> ROUND(up, 4)
                       THEN 'up_to_kwh is too large or has more than 4 decimals'
                   WHEN up IS NULL AND n < cnt
                       THEN 'is open (up_to_kwh null) but is not the last block'
                   WHEN up IS NOT NULL AND n = cnt
                       THEN 'is the last block and must be open (up_to_kwh null)'
                   WHEN up <= prev_up THEN 'up_to_kwh is not above the previous block''s'
                   END AS problem
              FROM (SELECT b.*, LAG(b.up) OVER (ORDER BY b.n) AS prev_up,
                           COUNT(*) OVER () AS cnt
                      FROM (SELECT r.n, r.et, r.kn, r.ut, r.rt,
                                   IF(r.ut IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL'),
                                       CAST(r.uv AS DECIMAL(40,12)), NULL) AS up,
                                   IF(r.rt IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL'),
                                       CAST(r.rv AS DECIMAL(40,12)), NULL) AS rate
                              FROM (SELECT jt.n,
                                            JSON_TYPE(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, ']'))) AS et,
                                            JSON_LENGTH(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, ']'))) AS kn,
                                            JSON_TYPE(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, '].up_to_kwh'))) AS ut,
                                            JSON_UNQUOTE(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, '].up_to_kwh'))) AS uv,
                                            JSON_TYPE(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, '].rate'))) AS rt,
                                            JSON_UNQUOTE(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, '].rate'))) AS rv
                                       FROM JSON_TABLE(p_blocks, '$[*]' COLUMNS (n FOR ORDINALITY)) AS jt
                                   ) AS r
                           ) AS b
                   ) AS w
           ) AS checked
     WHERE problem IS NOT NULL
     ORDER BY n
     LIMIT 1;
    IF v_bad_block IS NOT NULL THEN
        CALL _fail(45031, CONCAT('block ', v_bad_block, ' ', v_problem));
    END IF;
    -- the numbers as written, exactly. MySQL parses a JSON number with a fraction as a DOUBLE
    -- (0.12345600000000000001 becomes 0.123456) and the DECIMAL(40,12) casts above round beyond
    -- 12 decimals, so the text itself is checked: a digit other than 0 after the 6th decimal of
    -- a rate (4th of an up_to_kwh) is refused. A number with an exponent (1e2, 1.5e-1) may have
    -- at most 8 characters before the e and an exponent of -4 or more: then its value has at most
    -- 11 decimals and 8 digits, which a DOUBLE and DECIMAL(40,12) both hold exactly, so the
    -- checks above see it exactly too. A plain decimal that passes has at most 6 (4) decimals.
    IF p_blocks REGEXP '"rate"[[:space:]]*:[[:space:]]*-?[0-9]*[.][0-9]{6}[0-9]*[1-9]' THEN
        CALL _fail(45031, 'a rate has more than 6 decimals');
    END IF;
    IF p_blocks REGEXP '"up_to_kwh"[[:space:]]*:[[:space:]]*-?[0-9]*[.][0-9]{4}[0-9]*[1-9]' THEN
        CALL _fail(45031, 'an up_to_kwh has more than 4 decimals');
    END IF;
    IF p_blocks REGEXP '"(rate|up_to_kwh)"[[:space:]]*:[[:space:]]*-?[0-9.]{9,}[eE]'
       OR p_blocks REGEXP '"(rate|up_to_kwh)"[[:space:]]*:[[:space:]]*-?[0-9.]+[eE]-0*([5-9]|[1-9][0-9])' THEN
        CALL _fail(45031, CONCAT('a number with an exponent may have at most 8 characters before the e ',
                                 'and an exponent of -4 or more: write it as a plain decimal'));
    END IF;

    DROP TEMPORARY TABLE IF EXISTS parsed_blocks;
    CREATE TEMPORARY TABLE parsed_blocks (
        block_no  TINYINT UNSIGNED NOT NULL PRIMARY KEY,
        lower_kwh DECIMAL(14,4)    NOT NULL,
        up_to_kwh DECIMAL(14,4)    NULL,
        rate      DECIMAL(12,6)    NOT NULL
    );
    INSERT INTO parsed_blocks (block_no, lower_kwh, up_to_kwh, rate)
    SELECT b.n, COALESCE(LAG(b.up) OVER (ORDER BY b.n), 0), b.up, b.rate
      FROM (SELECT jt.n,
                   CAST(NULLIF(JSON_UNQUOTE(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, '].up_to_kwh'))),
                               'null') AS DECIMAL(40,12)) AS up,
                   CAST(JSON_UNQUOTE(JSON_EXTRACT(p_blocks, CONCAT('$[', jt.n - 1, '].rate'))) AS DECIMAL(40,12)) AS rate
              FROM JSON_TABLE(p_blocks, '$[*]' COLUMNS (n FOR ORDINALITY)) AS jt) AS b;
END
