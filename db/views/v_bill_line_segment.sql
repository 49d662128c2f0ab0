-- v_bill_line_segment: the segment of its bill's period that an energy or fixed line prices
-- (billing-rules.md, "Tariffs": [bs, be] split at every version change; the line's tariff
-- version tells which segment). A helper of v_bill_line_words, not contract.
--
-- Columns
--   bill_id, line_no, kind (energy or fixed), tariff_version_id, block_no
--   seg_start, seg_end, seg_days   the segment (d_i days)
--   period_days                    P of the bill's run
--   segments                       versions in force on some day of [bs, be] (1: one price)
--   version_from                   the day the line's version came into force
--   new_price                      1 when it came into force inside the bill's days
-- Example: SELECT * FROM v_bill_line_segment WHERE bill_id = 42 ORDER BY line_no;
CREATE VIEW v_bill_line_segment AS
SELECT l.bill_id, l.line_no, l.kind, l.tariff_version_id, l.block_no,
       GREATEST(b.period_start, v.effective_from) AS seg_start,
       LEAST(b.period_end, COALESCE((SELECT MIN(n.effective_from) FROM tariff_version n
                                      WHERE n.tariff_id = v.tariff_id
                                        AND n.effective_from > v.effective_from)
                                    - INTERVAL 1 DAY, b.period_end)) AS seg_end,
       DATEDIFF(LEAST(b.period_end, COALESCE((SELECT MIN(n.effective_from) FROM tariff_version n
                                               WHERE n.tariff_id = v.tariff_id
                                                 AND n.effective_from > v.effective_from)
                                             - INTERVAL 1 DAY, b.period_end)),
                GREATEST(b.period_start, v.effective_from)) + 1 AS seg_days,
       b.period_days,
       (SELECT COUNT(*) FROM tariff_version s
         WHERE s.tariff_id = v.tariff_id AND s.effective_from <= b.period_end
           AND s.effective_from >= (SELECT MAX(s2.effective_from) FROM tariff_version s2
                                     WHERE s2.tariff_id = v.tariff_id
                                       AND s2.effective_from <= b.period_start)) AS segments,
       v.effective_from AS version_from,
       (v.effective_from > b.period_start) AS new_price
FROM bill_line l
JOIN bill b ON b.bill_id = l.bill_id
JOIN tariff_version v ON v.tariff_version_id = l.tariff_version_id
WHERE l.kind IN ('energy', 'fixed')
