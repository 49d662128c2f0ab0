-- Tariff and discount codes are 1 to 20 of A-Z, 0-9, '_' and '-' (issue 16, finding 7: a code
-- 'A/B' broke the tariff page after the tariff was committed, '..' made it unreachable).
-- create_tariff and create_discount refuse other codes with 45002; these constraints hold the
-- rule for every writer. Portable to MySQL 8.4 and MariaDB 10.11: REGEXP as an operator (no
-- REGEXP_LIKE), COLLATE utf8mb4_bin so that lowercase is refused under the tables'
-- case-insensitive collation, and "no character outside the class" rather than '^...$' (a '$'
-- matches before a final newline in both regex libraries, so 'AB\n' would pass).
-- A database holding a code outside the rule fails this migration (CHECK constraint error 4025 on
-- MariaDB, 3819 on MySQL) rather than having its codes rewritten: rename such a code first.
-- A constraint of its own beside the old ck_*_code (TRIM(code) <> ''), which it makes redundant:
-- one ADD per table, atomic on both servers (no DROP and re-ADD of one name in a statement).
ALTER TABLE tariff ADD CONSTRAINT ck_tariff_code_chars CHECK (
  CHAR_LENGTH(code) BETWEEN 1 AND 20 AND NOT (code COLLATE utf8mb4_bin REGEXP '[^A-Z0-9_-]'));
ALTER TABLE discount ADD CONSTRAINT ck_discount_code_chars CHECK (
  CHAR_LENGTH(code) BETWEEN 1 AND 20 AND NOT (code COLLATE utf8mb4_bin REGEXP '[^A-Z0-9_-]'));
