-- v_bill_line_words: what a customer needs to read a bill's energy and fixed lines in words
-- (issue 21, "the charges in plain language"): the line's segment (v_bill_line_segment) and the
-- block's limits as the customer's share of it. Presentation helper of the portal's bill, not
-- contract; the bounds are the engine's (billing-rules.md, "Tariffs": up_to x d_i / P rounded
-- to 4 decimals), shown to 2.
--
-- Columns: those of v_bill_line_segment, and
--   first_block (1 for the first block), open_block (1 for the last, open block)
--   block_from_kwh, block_to_kwh   the block's bounds as the customer's share, 2 decimals
--                                  (block_to_kwh NULL for the open block)
--   block_size_kwh                 block_to_kwh - block_from_kwh (NULL for the open block)
-- Example: SELECT * FROM v_bill_line_words WHERE bill_id = 42 ORDER BY line_no;
CREATE VIEW v_bill_line_words AS
SELECT s.bill_id, s.line_no, s.kind, s.tariff_version_id, s.block_no, s.seg_start, s.seg_end,
       s.seg_days, s.period_days, s.segments, s.version_from, s.new_price,
       (s.block_no = 1) AS first_block,
       (s.kind = 'energy' AND k.up_to_kwh IS NULL) AS open_block,
       ROUND(ROUND(COALESCE((SELECT MAX(p.up_to_kwh) FROM tariff_block p
                             WHERE p.tariff_version_id = s.tariff_version_id
                               AND p.block_no < s.block_no), 0) * s.seg_days / s.period_days, 4), 2)
           AS block_from_kwh,
       ROUND(ROUND(k.up_to_kwh * s.seg_days / s.period_days, 4), 2) AS block_to_kwh,
       ROUND(ROUND(k.up_to_kwh * s.seg_days / s.period_days, 4)
             - ROUND(COALESCE((SELECT MAX(p.up_to_kwh) FROM tariff_block p
                               WHERE p.tariff_version_id = s.tariff_version_id
                                 AND p.block_no < s.block_no), 0) * s.seg_days / s.period_days, 4), 2)
           AS block_size_kwh
FROM v_bill_line_segment s
LEFT JOIN tariff_block k ON k.tariff_version_id = s.tariff_version_id AND k.block_no = s.block_no
