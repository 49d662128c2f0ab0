-- v_tariff_simulation_block: the proposed blocks of a tariff what-if (simulate_tariff), lowest
-- first: what the page shows and carries into the new-version form ("Create this version").
--
-- Columns: simulation_id, block_no, up_to_kwh (NULL: the open last block), rate.
-- Example: SELECT * FROM v_tariff_simulation_block WHERE simulation_id = 3 ORDER BY block_no;
CREATE VIEW v_tariff_simulation_block AS
SELECT b.simulation_id, b.block_no, b.up_to_kwh, b.rate
FROM tariff_simulation_block b
