-- The staff home page's collection figures, kept (issue 24 §4; docs/backoffice.md, "Home pages
-- and KPIs"). The billing admin's and the manager's home page read every open bill and twelve
-- months of bills and payments on every visit: 2.3 s at 1M accounts, on the page every member
-- of staff opens first. These tables hold the same figures as the 5-minute job last took them
-- (refresh_kpi_snapshot, called by `manage.py fold_report_deltas`): the page reads them when
-- they were taken in the last 15 minutes and today, and says when; otherwise it reads the live
-- views (v_kpi_summary, v_kpi_aging_buckets, v_kpi_monthly) as before. The work waiting
-- (readings in review, billing exceptions) is always read live: it is cheap, and a clerk who
-- approves a reading expects the count to drop.
--
-- One row in kpi_snapshot, five in kpi_snapshot_bucket, twelve in kpi_snapshot_month, each
-- replaced whole by every refresh in one transaction (its columns: the live views' columns).
CREATE TABLE kpi_snapshot (
    snapshot_id          TINYINT UNSIGNED NOT NULL COMMENT 'always 1: one set of figures',
    taken_at             DATETIME NOT NULL COMMENT 'when refresh_kpi_snapshot read them (its NOW())',
    as_of                DATE NOT NULL COMMENT 'the day they are of (its CURRENT_DATE)',
    month_start          DATE NOT NULL,
    bills_this_month     INT UNSIGNED NOT NULL,
    billed_this_month    DECIMAL(14,2) NOT NULL,
    payments_this_month  INT UNSIGNED NOT NULL,
    collected_this_month DECIMAL(14,2) NOT NULL,
    open_amount          DECIMAL(14,2) NOT NULL,
    accounts_open        INT UNSIGNED NOT NULL,
    overdue_amount       DECIMAL(14,2) NOT NULL,
    accounts_overdue     INT UNSIGNED NOT NULL,
    billed_last_90_days  DECIMAL(14,2) NOT NULL,
    dso_days             DECIMAL(10,1) NULL,
    PRIMARY KEY (snapshot_id),
    CONSTRAINT ck_kpi_snapshot_one CHECK (snapshot_id = 1)
) ENGINE=InnoDB;

CREATE TABLE kpi_snapshot_bucket (
    bucket_no  TINYINT UNSIGNED NOT NULL,
    bucket     VARCHAR(10) NOT NULL,
    accounts   INT UNSIGNED NOT NULL,
    amount     DECIMAL(14,2) NOT NULL,
    PRIMARY KEY (bucket_no),
    CONSTRAINT ck_kpi_snapshot_bucket_no CHECK (bucket_no <= 4)
) ENGINE=InnoDB;

CREATE TABLE kpi_snapshot_month (
    months_ago     TINYINT UNSIGNED NOT NULL,
    month          CHAR(7) NOT NULL COMMENT 'YYYY-MM',
    month_start    DATE NOT NULL,
    partial_month  TINYINT UNSIGNED NOT NULL,
    bills          INT UNSIGNED NOT NULL,
    billed         DECIMAL(14,2) NOT NULL,
    payments       INT UNSIGNED NOT NULL,
    collected      DECIMAL(14,2) NOT NULL,
    PRIMARY KEY (months_ago),
    CONSTRAINT ck_kpi_snapshot_month_ago CHECK (months_ago <= 11)
) ENGINE=InnoDB;
