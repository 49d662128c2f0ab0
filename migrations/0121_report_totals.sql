-- The report pages at 1M accounts (issue 24 §4): billed revenue read every bill and every bill
-- line (32 s a read at 1M), collections every payment (7.6 s), and a report page reads its view
-- three or four times (rows, count, totals, chart). Their figures are now kept as they change,
-- in one table per report:
--
--   report_revenue_part, report_collections_part   rows of figures to be added up by key
--       (revenue: the first day of the month of the bills' period_end and the bill's tariff
--       version; collections: the payment's day, posted_by and method).
--       folded = 0: a delta, appended by the routine that changed the figures, in its own
--         transaction (a bill chunk, a rebate, a late-fee run, a cancelled bill; a payment, a
--         reversal, a bank-file segment). Writers only insert: no row is updated by two
--         postings, so no posting waits on another for them.
--       folded = 1: the sum of a key's rows, made by fold_report_deltas (a job every 5 minutes),
--         which replaces the committed deltas of a key and its folded row by one new folded row
--         in one transaction.
--
-- The report views sum every row of a key, so they are exact at every moment whatever the fold
-- has done; the fold only keeps the rows few (about one per key). One table, not a totals table
-- beside a deltas table: the views need no UNION, which would turn the payment method's ENUM
-- into a string (and its order, cash before card, into the alphabet's).
--
-- Parts carry no foreign key (a foreign key check share-locks the parent row for the rest of a
-- posting's transaction) and no secondary index: a delta is one index entry, the primary key's.
-- The tables stay small (about a row per key once folded), so the fold and the views read them
-- whole.
--
-- Existing data is folded in here, from the same rules the views applied before.
CREATE TABLE report_revenue_part (
    part_id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    folded             TINYINT NOT NULL DEFAULT 0 COMMENT '1: the sum of the key''s rows by a fold; 0: a writer''s delta',
    month_start        DATE NOT NULL COMMENT 'first day of the month of the bills'' period_end',
    tariff_version_id  INT UNSIGNED NOT NULL,
    bills              BIGINT NOT NULL DEFAULT 0 COMMENT 'bills not cancelled',
    consumption_kwh    DECIMAL(18,4) NOT NULL DEFAULT 0,
    energy_charge      DECIMAL(16,2) NOT NULL DEFAULT 0,
    fixed_charge       DECIMAL(16,2) NOT NULL DEFAULT 0,
    discount_amount    DECIMAL(16,2) NOT NULL DEFAULT 0,
    tax_amount         DECIMAL(16,2) NOT NULL DEFAULT 0,
    late_fee           DECIMAL(16,2) NOT NULL DEFAULT 0,
    rebate_amount      DECIMAL(16,2) NOT NULL DEFAULT 0 COMMENT 'rebate and rebate_revoked lines',
    total_billed       DECIMAL(16,2) NOT NULL DEFAULT 0 COMMENT 'the bills'' current totals',
    PRIMARY KEY (part_id),
    CONSTRAINT ck_report_revenue_part_month CHECK (DAYOFMONTH(month_start) = 1),
    CONSTRAINT ck_report_revenue_part_folded CHECK (folded IN (0, 1))
) ENGINE=InnoDB;

CREATE TABLE report_collections_part (
    part_id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    folded             TINYINT NOT NULL DEFAULT 0 COMMENT '1: the sum of the key''s rows by a fold; 0: a writer''s delta',
    day                DATE NOT NULL COMMENT 'DATE(paid_at)',
    cashier            VARCHAR(100) NOT NULL COMMENT 'the payment''s posted_by',
    method             ENUM('cash','card','cheque','bank_transfer','online') NOT NULL,
    payments           BIGINT NOT NULL DEFAULT 0 COMMENT 'payments that stand (posted)',
    amount             DECIMAL(16,2) NOT NULL DEFAULT 0,
    reversed_payments  BIGINT NOT NULL DEFAULT 0 COMMENT 'payments of that day reversed later',
    reversed_amount    DECIMAL(16,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (part_id),
    CONSTRAINT ck_report_collections_part_folded CHECK (folded IN (0, 1))
) ENGINE=InnoDB;

-- One row: taken (FOR UPDATE) by fold_report_deltas and rebuild_report_totals, so that one of
-- them runs at a time; it says when the deltas were last folded.
CREATE TABLE report_fold (
    fold_id            TINYINT UNSIGNED NOT NULL,
    folded_at          DATETIME NULL COMMENT 'end of the last fold',
    PRIMARY KEY (fold_id),
    CONSTRAINT ck_report_fold_one CHECK (fold_id = 1)
) ENGINE=InnoDB;
INSERT INTO report_fold (fold_id, folded_at) VALUES (1, NOW());

INSERT INTO report_revenue_part (folded, month_start, tariff_version_id, bills, consumption_kwh,
                                 energy_charge, fixed_charge, discount_amount, tax_amount,
                                 late_fee, rebate_amount, total_billed)
SELECT 1, r.month_start, r.tariff_version_id, COUNT(*), SUM(r.consumption_kwh), SUM(r.energy),
       SUM(r.fixed), SUM(r.discount), SUM(r.tax), SUM(r.late_fee), SUM(r.rebate),
       SUM(r.total_amount)
  FROM (SELECT b.period_end - INTERVAL (DAYOFMONTH(b.period_end) - 1) DAY AS month_start,
               b.tariff_version_id, b.consumption_kwh, b.total_amount, l.energy, l.fixed,
               l.discount, l.tax, l.late_fee, l.rebate
          FROM bill b
          JOIN (SELECT bill_id,
                       SUM(IF(kind = 'energy', amount, 0)) AS energy,
                       SUM(IF(kind = 'fixed', amount, 0)) AS fixed,
                       SUM(IF(kind = 'discount', amount, 0)) AS discount,
                       SUM(IF(kind = 'tax', amount, 0)) AS tax,
                       SUM(IF(kind = 'late_fee', amount, 0)) AS late_fee,
                       SUM(IF(kind IN ('rebate', 'rebate_revoked'), amount, 0)) AS rebate
                  FROM bill_line GROUP BY bill_id) l ON l.bill_id = b.bill_id
         WHERE b.cancelled_at IS NULL) r
 GROUP BY r.month_start, r.tariff_version_id;

INSERT INTO report_collections_part (folded, day, cashier, method, payments, amount,
                                     reversed_payments, reversed_amount)
SELECT 1, r.day, r.posted_by, r.method, SUM(r.status = 'posted'),
       SUM(IF(r.status = 'posted', r.amount, 0)), SUM(r.status = 'reversed'),
       SUM(IF(r.status = 'reversed', r.amount, 0))
  FROM (SELECT DATE(paid_at) AS day, posted_by, method, status, amount FROM payment) r
 GROUP BY r.day, r.posted_by, r.method;
