-- v_staff_tariff_block: the rate blocks of every tariff version (a helper view of the staff back
-- office, not part of the contract; see docs/backoffice.md).
--
-- Columns: tariff_version_id, block_no (1 = lowest), up_to_kwh (NULL: the open last block), rate
-- Example: SELECT * FROM v_staff_tariff_block WHERE tariff_version_id = 4 ORDER BY block_no;
CREATE VIEW v_staff_tariff_block AS
SELECT k.tariff_version_id, k.block_no, k.up_to_kwh, k.rate
  FROM tariff_block k
