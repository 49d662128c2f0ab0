-- Bank file names are compared byte for byte (../shared/spec/sql-api.md, stage_payment_batch: "the
-- same p_batch_ref appends to the same open batch"). batch_ref and open_ref were VARCHAR(100) in
-- the table's utf8mb4_unicode_ci, so the unique key uk_payment_batch_open_ref folded case and
-- accents and ignored trailing spaces: stage_payment_batch('Ref-A', ...), ('REF-A', ...) and
-- ('Ref-A ', ...) appended to one open batch, merging two bank files whose names differ only in
-- case.
--
-- open_ref, the column of the unique key that decides "the same open batch", becomes
-- VARBINARY(400): the name's utf8mb4 bytes while the batch is open (400 bytes hold any name of 100
-- characters). Not utf8mb4_bin: that collation is PAD SPACE on MariaDB 10.11 and on MySQL 8.4
-- ('Ref-A' = 'Ref-A '), and the NO PAD binary collations differ by name between the two servers
-- (utf8mb4_nopad_bin / utf8mb4_0900_bin); a binary string compares bytes with no padding (as
-- migration 0020 did for payment keys). batch_ref, the name readers see (views, the web app's
-- PaymentBatch), stays text and becomes utf8mb4_bin: case-sensitive wherever it is compared
-- (ix_payment_batch_ref, a search by name); only trailing spaces are still padded there.
-- Both keys (uk_payment_batch_open_ref, ix_payment_batch_ref) are kept; the table is rebuilt. No
-- two rows can collide: bytes only tell apart what the old collation called equal.
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take (a stored generated column may change its
-- type and expression with MODIFY; the table is copied).
-- Example: SELECT batch_id FROM payment_batch WHERE open_ref = CAST('Ref-A' AS BINARY);
ALTER TABLE payment_batch
  MODIFY COLUMN batch_ref VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  MODIFY COLUMN open_ref VARBINARY(400)
    AS (IF(status = 'open', CAST(batch_ref AS BINARY), NULL)) STORED
    COMMENT 'the name''s bytes while the batch is open, else NULL: one open batch per name, byte for byte';
