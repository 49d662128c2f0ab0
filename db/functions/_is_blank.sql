-- _is_blank: says whether a text argument is missing: NULL, empty, or made only of whitespace.
--
-- The one definition of "blank" of the routines: a required text (a name, an address, a reason,
-- the actor, a sender, a code) that is blank is refused (45002), an optional one (e-mail, phone,
-- address of a customer) that is blank is kept as NULL, and an idempotency key may be NULL (no
-- key) but not blank. Whitespace is
--   - the space, and what utf8mb4_unicode_ci weighs as a space or ignores: NO-BREAK SPACE
--     U+00A0, U+180E, the spaces U+2000..U+200A, ZERO WIDTH SPACE, NON-JOINER and JOINER
--     U+200B..U+200D, U+202F, U+205F, WORD JOINER U+2060, IDEOGRAPHIC SPACE U+3000, U+FEFF;
--   - tab, line feed, vertical tab, form feed and carriage return (U+0009..U+000D), NEXT LINE
--     U+0085, OGHAM SPACE MARK U+1680, LINE and PARAGRAPH SEPARATOR U+2028, U+2029: the
--     White_Space characters that the collation weighs as characters, removed here first.
-- The comparison names its collation (utf8mb4_unicode_ci, the tables' own: a PAD SPACE
-- collation on MariaDB 10.11 and MySQL 8.4 alike), whatever the database's default is.
-- Parameters
--   p_value  the text (any character set; NULL is blank)
-- Returns 1 when blank, else 0.
-- Example: SELECT _is_blank(CONCAT(CHAR(9 USING utf8mb4), ' ')), _is_blank('Ann');  -- 1, 0
CREATE FUNCTION _is_blank(p_value LONGTEXT)
    RETURNS TINYINT
    DETERMINISTIC
    NO SQL
    SQL SECURITY INVOKER
BEGIN
    RETURN p_value IS NULL
        OR CONVERT(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
               CONVERT(p_value USING utf8mb4),
               CHAR(9 USING utf8mb4), ''), CHAR(10 USING utf8mb4), ''),
               CHAR(11 USING utf8mb4), ''), CHAR(12 USING utf8mb4), ''),
               CHAR(13 USING utf8mb4), ''), CHAR(0xC285 USING utf8mb4), ''),
               CHAR(0xE19A80 USING utf8mb4), ''), CHAR(0xE280A8 USING utf8mb4), ''),
               CHAR(0xE280A9 USING utf8mb4), '') USING utf8mb4) COLLATE utf8mb4_unicode_ci = '';
END
