-- number_counter.`last_value` -> last_number: LAST_VALUE is a reserved word in MySQL 8.0.2+ (a
-- window function), so the column name was a syntax error there. RENAME COLUMN: MySQL 8.0+,
-- MariaDB 10.5+. The routines that use it (_next_number, _bill_chunk) are re-created with the
-- new name after the table migrations.
ALTER TABLE number_counter RENAME COLUMN `last_value` TO last_number;
