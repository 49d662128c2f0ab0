-- v_report_consumption_recount: the consumption report's figures counted again from the
-- readings, per month of read_on and tariff: what report_consumption_part (migration 0122) adds
-- up to when every writer appended its delta. Read by v_ledger_integrity (its report_consumption
-- check) and rebuild_report_totals; the report pages never read it (every reading: about 30 s at
-- 1M accounts).
--
-- Columns: month_start, tariff_id (of the account the meter was installed on at the reading: its
--   latest installation on or before read_on), meters (distinct meters with a counted reading),
--   readings (accepted actual readings), consumption_kwh (theirs), in_review (actual readings in
--   review).
-- The installation: each of the meter's installations until the next one (a join, not a
-- subquery per reading: 30 s, not 78, at 1M).
-- Example: SELECT * FROM v_report_consumption_recount ORDER BY month_start, tariff_id;
CREATE VIEW v_report_consumption_recount AS
SELECT x.month_start, x.tariff_id, COUNT(DISTINCT x.meter_id) AS meters,
       SUM(x.status = 'accepted') AS readings,
       SUM(IF(x.status = 'accepted', x.consumption_kwh, 0)) AS consumption_kwh,
       SUM(x.status = 'review') AS in_review
  FROM (SELECT r.read_on - INTERVAL (DAYOFMONTH(r.read_on) - 1) DAY AS month_start,
               a.tariff_id, r.meter_id, r.status, r.consumption_kwh
          FROM meter_reading r
          JOIN (SELECT meter_id, account_id, installed_on,
                       LEAD(installed_on) OVER (PARTITION BY meter_id
                                                ORDER BY installed_on) AS next_on
                  FROM meter_installation) w
            ON w.meter_id = r.meter_id AND w.installed_on <= r.read_on
           AND (w.next_on IS NULL OR r.read_on < w.next_on)
          JOIN account a ON a.account_id = w.account_id
         WHERE r.kind = 'actual' AND r.status IN ('accepted', 'review')) x
 GROUP BY x.month_start, x.tariff_id
