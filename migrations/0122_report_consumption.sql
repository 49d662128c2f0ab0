-- The consumption report at 1M accounts (issue 24 §4): v_report_consumption read every reading
-- (11.6M at 1M accounts, 38 s a read, four reads a page). Its figures are kept like revenue's
-- and collections' (migration 0121): report_consumption_part, rows added up by month of read_on
-- and tariff, folded = 0 for a writer's delta, folded = 1 for a fold's sum.
--
-- The writers of readings append the change of the figures in their own transaction
-- (_report_reading for one reading: record_reading, approve_reading, reject_reading,
-- exchange_meter's final reading, cancel_bill's re-based step; _store_bills set-based for the
-- steps it re-bases after an estimate). "meters" (meters with a reading that month) is kept as
-- +1 when a meter's first counted reading of the month appears and -1 when its last one goes
-- (a rejected reading), which the writer sees under the meter's lock.
--
-- The tariff is that of the account the meter was installed on at the reading (its latest
-- installation on or before read_on, as the audit rows of approve_reading and reject_reading
-- name it); the view before counted a meter once per installation it ever had.
CREATE TABLE report_consumption_part (
    part_id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    folded             TINYINT NOT NULL DEFAULT 0 COMMENT '1: the sum of the key''s rows by a fold; 0: a writer''s delta',
    month_start        DATE NOT NULL COMMENT 'first day of the month of read_on',
    tariff_id          INT UNSIGNED NOT NULL,
    meters             BIGINT NOT NULL DEFAULT 0 COMMENT 'meters with a counted reading that month',
    readings           BIGINT NOT NULL DEFAULT 0 COMMENT 'accepted actual readings',
    consumption_kwh    DECIMAL(18,4) NOT NULL DEFAULT 0 COMMENT 'their consumption',
    in_review          BIGINT NOT NULL DEFAULT 0 COMMENT 'actual readings waiting in review',
    PRIMARY KEY (part_id),
    CONSTRAINT ck_report_consumption_part_month CHECK (DAYOFMONTH(month_start) = 1),
    CONSTRAINT ck_report_consumption_part_folded CHECK (folded IN (0, 1))
) ENGINE=InnoDB;

INSERT INTO report_consumption_part (folded, month_start, tariff_id, meters, readings,
                                     consumption_kwh, in_review)
SELECT 1, x.month_start, x.tariff_id, COUNT(DISTINCT x.meter_id), SUM(x.status = 'accepted'),
       SUM(IF(x.status = 'accepted', x.consumption_kwh, 0)), SUM(x.status = 'review')
  FROM (SELECT r.read_on - INTERVAL (DAYOFMONTH(r.read_on) - 1) DAY AS month_start,
               a.tariff_id, r.meter_id, r.status, r.consumption_kwh
          FROM meter_reading r
          -- the installation on or before the reading (each until the next one)
          JOIN (SELECT meter_id, account_id, installed_on,
                       LEAD(installed_on) OVER (PARTITION BY meter_id
                                                ORDER BY installed_on) AS next_on
                FROM meter_installation) w
            ON w.meter_id = r.meter_id AND w.installed_on <= r.read_on
           AND (w.next_on IS NULL OR r.read_on < w.next_on)
          JOIN account a ON a.account_id = w.account_id
         WHERE r.kind = 'actual' AND r.status IN ('accepted', 'review')) x
 GROUP BY x.month_start, x.tariff_id;
