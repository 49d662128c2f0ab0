-- v_bill_reading_words: what a customer needs to read a bill's consumption in words (issue 21):
-- the meter factor ("register advance 59 x meter factor 40 = 2,360 kWh") and whether the bill
-- starts from an estimate it now corrects (a true-up). Presentation helper of the portal's bill,
-- not contract.
--
-- Columns
--   bill_id
--   multiplier        the meter factor of the bill's end reading's meter
--   register_advance  the register's advance over the bill's window (rollover applied)
--   one_meter         1 when one meter recorded the whole window and C = register_advance x
--                     multiplier: then the product explains C
--   meter_exchanged   1 when another meter of the account has an accepted reading in the window
--                     (after the previous reading's day, up to the end reading's): a meter
--                     exchange inside it, whose readings the bill lists (v_staff_bill_reading)
--   prev_estimated    1 when the bill starts from an estimated reading (the previous bill's
--                     estimate: an actual end reading now trues it up)
--   corrects_bill_id, corrects_bill_no   the bill whose estimated end reading this one starts
--                     from (not cancelled), when prev_estimated
-- Example: SELECT * FROM v_bill_reading_words WHERE bill_id = 42;
CREATE VIEW v_bill_reading_words AS
SELECT b.bill_id, m.multiplier, b.register_advance,
       (b.register_advance * m.multiplier = b.consumption_kwh AND x.meter_id IS NULL) AS one_meter,
       (x.meter_id IS NOT NULL) AS meter_exchanged,
       (p.bill_id IS NOT NULL AND p.estimated = 1) AS prev_estimated,
       IF(p.estimated = 1, p.bill_id, NULL) AS corrects_bill_id,
       IF(p.estimated = 1, p.bill_no, NULL) AS corrects_bill_no
FROM bill b
JOIN meter_reading r ON r.reading_id = b.end_reading_id
JOIN meter m ON m.meter_id = r.meter_id
-- one reading of another of the account's meters inside the window, if any
LEFT JOIN meter_reading x ON x.reading_id = (
          SELECT MIN(o.reading_id) FROM meter_installation mi
            JOIN meter_reading o ON o.meter_id = mi.meter_id
           WHERE mi.account_id = b.account_id AND mi.meter_id <> r.meter_id
             AND o.read_on > b.prev_read_on AND o.read_on <= r.read_on
             AND o.status = 'accepted')
LEFT JOIN bill p ON p.account_id = b.account_id AND p.active_flag = 1
                AND p.period_end = b.period_start - INTERVAL 1 DAY
