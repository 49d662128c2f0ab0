-- v_tariff_simulation_histogram: the histogram of a tariff what-if: how many accounts fall in
-- each bucket of percent change (v_tariff_simulation_bucket), every bucket listed, also when
-- empty.
--
-- Columns: simulation_id, bucket_no, lower_pct (inclusive; NULL: unbounded), upper_pct
--   (exclusive; NULL: unbounded; lower = upper = 0: no change), accounts, share_pct (of the
--   simulation's accounts, ROUND(100 * accounts / all, 1); 0 when it has none), bar_pct (the
--   bucket's bar length in percent of the fullest bucket, ROUND(..., 1), for a bar chart).
-- Example: SELECT * FROM v_tariff_simulation_histogram WHERE simulation_id = 3 ORDER BY bucket_no;
CREATE VIEW v_tariff_simulation_histogram AS
SELECT h.simulation_id, h.bucket_no, h.lower_pct, h.upper_pct, h.accounts,
       IF(h.total > 0, ROUND(h.accounts * 100 / h.total, 1), 0) AS share_pct,
       IF(h.fullest > 0, ROUND(h.accounts * 100 / h.fullest, 1), 0) AS bar_pct
FROM (SELECT n.simulation_id, n.bucket_no, n.lower_pct, n.upper_pct, n.accounts,
             SUM(n.accounts) OVER (PARTITION BY n.simulation_id) AS total,
             MAX(n.accounts) OVER (PARTITION BY n.simulation_id) AS fullest
      FROM (SELECT s.simulation_id, k.bucket_no, k.lower_pct, k.upper_pct,
                   (SELECT COUNT(*) FROM tariff_simulation_account a
                    WHERE a.simulation_id = s.simulation_id AND a.bucket_no = k.bucket_no) AS accounts
            FROM tariff_simulation s
            CROSS JOIN v_tariff_simulation_bucket k) n) h
