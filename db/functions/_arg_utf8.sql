-- _arg_utf8: converts a bytes argument of a contract procedure into utf8mb4 text (internal
-- helper of the procedures that take an idempotency key).
--
-- An idempotency key is compared byte for byte (spec: sql-api.md, Payments), so the procedures
-- take it as LONGBLOB: the bytes arrive as sent, whatever the session's sql_mode and character
-- set. A LONGTEXT parameter would convert them on the way in: bytes that are not UTF-8 became
-- '?' in a session with sql_mode '' ('KEY\xff' and 'KEY\xfe' were one key, and the second
-- payment was taken for a replay and dropped), and a raw 1366 before the body ran in a strict
-- one. Bytes that are not UTF-8 are refused here; valid ones come back as the same bytes in
-- utf8mb4.
-- The check reads the bytes' hex digits against the UTF-8 grammar (RFC 3629: no overlong form,
-- no surrogate, nothing above U+10FFFF), not a CONVERT round trip: CONVERT of an invalid byte
-- gives '?' or NULL with warning 1300, which a strict routine turns into that raw error in an
-- assignment (MariaDB: DECLARE ... DEFAULT, SET), and MariaDB's utf8mb4 takes surrogates that
-- MySQL 8.4 and the clients' decoders refuse. The hex string is ASCII: no collation, no warning,
-- the same answer on both servers. Too many bytes for p_max characters are refused before.
-- Parameters
--   p_value  the argument as sent (NULL stays NULL)
--   p_name   the argument's name, for the message
--   p_max    the most characters allowed
-- Returns the text in utf8mb4. Errors: 45002 when longer than p_max characters or not UTF-8.
-- Example: SELECT _arg_utf8(_binary 'web:9f1c2e', 'idempotency_key', 100);  -- 'web:9f1c2e'
CREATE FUNCTION _arg_utf8(p_value LONGBLOB, p_name VARCHAR(64), p_max INT)
    RETURNS LONGTEXT
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    IF p_value IS NULL THEN
        RETURN NULL;
    END IF;
    IF OCTET_LENGTH(p_value) > 4 * p_max THEN
        CALL _fail(45002, CONCAT(p_name, ' is longer than ', p_max, ' characters'));
    END IF;
    -- the hex digits, two a byte, as a sequence of whole UTF-8 characters: 1 byte 00..7F;
    -- 2 bytes C2..DF 80..BF; 3 bytes E0 A0..BF, E1..EC or EE..EF 80..BF, ED 80..9F (no
    -- surrogate), then 80..BF; 4 bytes F0 90..BF, F1..F3 80..BF, F4 80..8F, then 80..BF twice
    IF NOT HEX(p_value) REGEXP CONCAT(
            '^([0-7][0-9A-F]',
            '|(C[2-9A-F]|D[0-9A-F])[89AB][0-9A-F]',
            '|(E0[AB][0-9A-F]|E[1-9A-CEF][89AB][0-9A-F]|ED[89][0-9A-F])[89AB][0-9A-F]',
            '|(F0[9AB][0-9A-F]|F[1-3][89AB][0-9A-F]|F48[0-9A-F])[89AB][0-9A-F][89AB][0-9A-F]',
            ')*$') THEN
        CALL _fail(45002, CONCAT(p_name, ' is not valid UTF-8 text'));
    END IF;
    IF CHAR_LENGTH(CONVERT(p_value USING utf8mb4)) > p_max THEN
        CALL _fail(45002, CONCAT(p_name, ' is longer than ', p_max, ' characters'));
    END IF;
    RETURN CONVERT(p_value USING utf8mb4);
END
