"""Data generator: N accounts with a year of readings, set-based.

Master data that is small (tariffs with versions and blocks, discounts) goes through the
procedures. The N-sized tables (customer, account, meter, meter_installation, account_discount,
meter_reading) are written directly as root with INSERT ... SELECT over a numbers table (built
by cross joins of a digits table: portable, no recursion limit), keeping every invariant the
procedures keep:
  - customer_no 'C%07d' and account_no 'A%07d' as create_customer/open_account make them, and
    number_counter ('customer', 0) / ('account', 0) set to N;
  - every meter has its initial point (kind 'initial', consumption 0, dated on installation);
  - every reading's consumption_kwh is the step from the meter's previous point (rollover and
    multiplier applied), computed from a running sum of register advances;
  - the audit triggers fire as usual (actor 'bench:generate').
Bill history is then made by the engine itself: run_billing for each month but the last, each
followed by set-based payments of 90% of that month's bills (payment, allocation, ledger credit,
bill.amount_paid, all consistent), so v_ledger_integrity stays empty.

Shape of the data (account n = 1..N, customer n, meter n):
  tariffs RES (70%: 3 blocks, a new version on 2025-07-16, so July bills have two segments),
  SMB (20%: 3 blocks, new version 2025-10-01), LIFE (10%: 2 blocks, one version);
  2% of accounts open on 2025-03-10 (prorated first bill); 1% of meters have 5 dials and roll
  over; 1% have a CT multiplier of 2; 1 in 7 accounts has a 10% discount, 1 in 11 a 5% discount
  valid Jan-Jun; each month 2.5% of readings are missing (the engine estimates, the next reading
  trues up); in December 0.2% of readings are high-use and wait in 'review' (READ_NEEDS_REVIEW).
Readings: one per month, on one of the last three days of the month, 2025-01 .. 2025-12.
"""
import datetime as dt
import time

from common import WORK_DB, Sql, log

YEAR = 2025
MONTHS = 12
RES_CODE, SMB_CODE, LIFE_CODE = "RES", "SMB", "LIFE"


def period(m):
    start = dt.date(YEAR, m, 1)
    end = (dt.date(YEAR + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
    return start, end, end + dt.timedelta(days=1)


def ensure_numbers(n):
    """bench_work.num holds 1..n (at least)."""
    s = Sql()
    s.execute(f"CREATE DATABASE IF NOT EXISTS {WORK_DB}")
    s.execute(f"CREATE TABLE IF NOT EXISTS {WORK_DB}.digit (d TINYINT UNSIGNED PRIMARY KEY)")
    s.execute(f"INSERT IGNORE INTO {WORK_DB}.digit VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)")
    s.execute(f"CREATE TABLE IF NOT EXISTS {WORK_DB}.num (n INT UNSIGNED PRIMARY KEY)")
    have = s.value(f"SELECT COALESCE(MAX(n), 0) FROM {WORK_DB}.num")
    if have < n:
        k = len(str(n))
        expr = " + ".join(f"d{i}.d * {10 ** i}" for i in range(k))
        joins = ", ".join(f"{WORK_DB}.digit d{i}" for i in range(k))
        s.execute(f"INSERT IGNORE INTO {WORK_DB}.num SELECT 1 + {expr} FROM {joins} "
                  f"WHERE 1 + {expr} <= %s", n)
    s.close()


def master_data(s):
    actor = "bench:generate"
    for code, name in ((RES_CODE, "Residential"), (SMB_CODE, "Small business"),
                       (LIFE_CODE, "Lifeline")):
        s.call("create_tariff", code, name, actor)
    v = [
        (RES_CODE, "2024-12-01", "8.50", "5", "1.5", "2", 10,
         '[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": 300, "rate": 0.15},'
         ' {"up_to_kwh": null, "rate": 0.21}]'),
        (RES_CODE, "2025-07-16", "9.00", "5", "1.5", "2", 10,
         '[{"up_to_kwh": 100, "rate": 0.125}, {"up_to_kwh": 300, "rate": 0.16},'
         ' {"up_to_kwh": null, "rate": 0.225}]'),
        (SMB_CODE, "2024-12-01", "25.00", "10", "2", "0", 0,
         '[{"up_to_kwh": 500, "rate": 0.14}, {"up_to_kwh": 2000, "rate": 0.13},'
         ' {"up_to_kwh": null, "rate": 0.12}]'),
        (SMB_CODE, "2025-10-01", "27.50", "10", "2", "1", 7,
         '[{"up_to_kwh": 500, "rate": 0.145}, {"up_to_kwh": 2000, "rate": 0.135},'
         ' {"up_to_kwh": null, "rate": 0.125}]'),
        (LIFE_CODE, "2024-12-01", "2.00", "0", "0", "0", 0,
         '[{"up_to_kwh": 50, "rate": 0.05}, {"up_to_kwh": null, "rate": 0.10}]'),
    ]
    for row in v:
        s.call("add_tariff_version", *row, actor)
    s.call("create_discount", "SENIOR", "Senior citizen", "10", actor)
    s.call("create_discount", "GREEN", "Green pledge", "5", actor)


def generate(db, n):
    """Fills the (freshly migrated) database `db` with n accounts and their readings."""
    t0 = time.perf_counter()
    ensure_numbers(n)
    s = Sql(db)
    s.execute("SET @billing_actor = 'bench:generate'")
    master_data(s)
    tid = {r["code"]: r["tariff_id"] for r in s.rows("SELECT code, tariff_id FROM tariff")}
    did = {r["code"]: r["discount_id"] for r in s.rows("SELECT code, discount_id FROM discount")}
    num = f"{WORK_DB}.num"
    last = ("'Smith','Jones','Garcia','Miller','Davis','Wilson','Taylor','Clark','Lewis','Walker',"
            "'Hall','Young','King','Wright','Lopez','Hill','Scott','Green','Adams','Baker',"
            "'Nelson','Carter','Mitchell','Perez'")
    first = ("'Ann','Ben','Carla','David','Eva','Frank','Grace','Hugo','Iris','Jack','Kim',"
             "'Leo','Maria','Nina','Omar','Paula'")
    s.execute(f"""
        INSERT INTO customer (customer_id, customer_no, full_name, email, phone, address)
        SELECT n, CONCAT('C', IF(n < 10000000, LPAD(n, 7, '0'), n)),
               CONCAT(ELT(1 + (n DIV 24) % 16, {first}), ' ', ELT(1 + n % 24, {last}), ' ', n),
               CONCAT('c', n, '@example.com'), CONCAT('+1-555-', LPAD(n % 10000000, 7, '0')),
               CONCAT(n % 900 + 1, ' Elm Street, Springfield')
        FROM {num} WHERE n <= {int(n)}""")
    s.execute(f"""
        INSERT INTO account (account_id, account_no, customer_id, tariff_id, service_address, opened_on)
        SELECT n, CONCAT('A', IF(n < 10000000, LPAD(n, 7, '0'), n)), n,
               CASE WHEN n % 10 < 7 THEN {tid[RES_CODE]} WHEN n % 10 < 9 THEN {tid[SMB_CODE]}
                    ELSE {tid[LIFE_CODE]} END,
               CONCAT(n % 900 + 1, ' Elm Street, Springfield'),
               IF(n % 50 = 7, DATE '2025-03-10', DATE '2025-01-01')
        FROM {num} WHERE n <= {int(n)}""")
    # INSERT ... SELECT whose ON DUPLICATE KEY UPDATE names the select's column: both servers
    # accept it (VALUES(col) there is deprecated in MySQL 8.0.20+)
    s.execute("""INSERT INTO number_counter (counter_name, counter_year, last_number)
                 SELECT src.counter_name, 0, src.n
                   FROM (SELECT 'customer' AS counter_name, %s AS n
                         UNION ALL SELECT 'account', %s) AS src
                 ON DUPLICATE KEY UPDATE last_number = src.n""", n, n)
    s.execute(f"""
        INSERT INTO meter (meter_id, serial_no, dial_digits, multiplier)
        SELECT n, CONCAT('BM', LPAD(n, 8, '0')), IF(n % 100 = 3, 5, 6), IF(n % 100 = 5, 2, 1)
        FROM {num} WHERE n <= {int(n)}""")
    s.execute(f"""
        INSERT INTO meter_installation (meter_installation_id, meter_id, account_id, installed_on, initial_read)
        SELECT a.account_id, a.account_id, a.account_id, a.opened_on,
               IF(a.account_id % 100 = 3, 99000 + a.account_id % 700, (a.account_id * 7919) % 900000)
        FROM account a""")
    s.execute("""
        INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh,
                                   recorded_by, recorded_at)
        SELECT meter_id, installed_on, initial_read, 'initial', 'field', 'accepted', 0,
               'bench:generate', installed_on + INTERVAL 10 HOUR
        FROM meter_installation ORDER BY meter_id""")
    s.execute(f"""
        INSERT INTO account_discount (account_id, discount_id, valid_from, valid_to)
        SELECT account_id, {did['SENIOR']}, DATE '2025-01-01', NULL FROM account WHERE account_id % 7 = 0
        UNION ALL
        SELECT account_id, {did['GREEN']}, DATE '2025-01-01', DATE '2025-06-30' FROM account
        WHERE account_id % 11 = 0""")
    # Monthly register advances of every meter, then the points that are present.
    s.execute(f"DROP TABLE IF EXISTS {WORK_DB}.gen_adv")
    s.execute(f"""
        CREATE TABLE {WORK_DB}.gen_adv (
            meter_id INT UNSIGNED NOT NULL, m TINYINT NOT NULL, read_on DATE NOT NULL,
            adv DECIMAL(12,2) NOT NULL, present TINYINT NOT NULL, review TINYINT NOT NULL,
            PRIMARY KEY (meter_id, m)) ENGINE=InnoDB""")
    s.execute(f"""
        INSERT INTO {WORK_DB}.gen_adv
        SELECT a.account_id, mo.n,
               LAST_DAY(DATE '{YEAR}-01-01' + INTERVAL (mo.n - 1) MONTH) - INTERVAL (a.account_id % 3) DAY,
               CASE WHEN mo.n = 12 AND a.account_id % 500 = 11 THEN 10000
                    WHEN a.account_id % 10 < 7 THEN 120 + (a.account_id * 37 + mo.n * 101) % 600
                    WHEN a.account_id % 10 < 9 THEN 800 + (a.account_id * 37 + mo.n * 101) % 2500
                    ELSE 20 + (a.account_id * 37 + mo.n * 101) % 120 END
                 + ((a.account_id * 13 + mo.n * 7) % 100) / 100,
               IF(mo.n BETWEEN 2 AND 12 AND (a.account_id + mo.n * 7) % 40 = 0, 0, 1),
               IF(mo.n = 12 AND a.account_id % 500 = 11, 1, 0)
        FROM account a
        JOIN {num} mo ON mo.n <= {MONTHS}
        WHERE LAST_DAY(DATE '{YEAR}-01-01' + INTERVAL (mo.n - 1) MONTH) - INTERVAL 2 DAY > a.opened_on""")
    s.execute(f"""
        INSERT INTO meter_reading (meter_id, read_on, value, kind, source, status, consumption_kwh,
                                   recorded_by, recorded_at)
        SELECT p.meter_id, p.read_on, MOD(mi.initial_read + p.cum, POW(10, m.dial_digits)),
               'actual', IF(p.meter_id % 4 = 0, 'smart', 'field'),
               IF(p.review = 1, 'review', 'accepted'),
               (p.cum - COALESCE(p.prev_cum, 0)) * m.multiplier,
               'bench:generate', p.read_on + INTERVAL 9 HOUR
        FROM (SELECT c.*, LAG(c.cum) OVER (PARTITION BY c.meter_id ORDER BY c.m) AS prev_cum
              FROM (SELECT g.*, SUM(g.adv) OVER (PARTITION BY g.meter_id ORDER BY g.m) AS cum
                    FROM {WORK_DB}.gen_adv g) c
              WHERE c.present = 1) p
        JOIN meter m ON m.meter_id = p.meter_id
        JOIN meter_installation mi ON mi.meter_id = p.meter_id
        ORDER BY p.read_on, p.meter_id""")
    s.execute(f"DROP TABLE {WORK_DB}.gen_adv")
    # the readings were written with plain SQL: the reports' kept figures from the rows, as
    # after any bulk load (migration 0122; nothing else runs yet)
    s.call("rebuild_report_totals")
    s.close()
    return time.perf_counter() - t0


def pay_history(s, run_id, m):
    """Pays 90% of the bills of a run in full, 12 days after issue (after the rebate date of
    every tariff, before the due date), set-based and consistent: payment (amount_allocated =
    amount), one allocation, the ledger credit, bill.amount_paid, the collections report's
    delta."""
    _, _, issue = period(m)
    paid_at = f"{issue + dt.timedelta(days=12)} 11:00:00"
    s.execute("SET @billing_actor = 'bench:generate'")
    s.execute(f"""
        INSERT INTO payment (account_id, amount, method, paid_at, posted_at, idempotency_key,
                             amount_allocated, posted_by)
        SELECT b.account_id, b.total_amount, ELT(1 + b.account_id % 5, 'cash', 'card', 'cheque',
               'bank_transfer', 'online'), '{paid_at}', '{paid_at}', CONCAT('bench:bill:', b.bill_id),
               b.total_amount, 'bench:generate'
        FROM bill b
        WHERE b.run_id = {int(run_id)} AND b.total_amount > 0 AND (b.account_id + {int(m)}) % 10 <> 0
        ORDER BY b.bill_id""")
    # the collections report's figures, as post_payment appends them (migration 0121)
    s.execute(f"""
        INSERT INTO report_collections_part (day, cashier, method, payments, amount)
        SELECT DATE(p.paid_at), p.posted_by, p.method, COUNT(*), SUM(p.amount)
        FROM bill b JOIN payment p ON p.idempotency_key = CONCAT('bench:bill:', b.bill_id)
        WHERE b.run_id = {int(run_id)}
        GROUP BY DATE(p.paid_at), p.posted_by, p.method""")
    s.execute(f"""
        INSERT INTO payment_allocation (payment_id, bill_id, amount, created_at)
        SELECT p.payment_id, b.bill_id, p.amount, p.posted_at
        FROM bill b JOIN payment p ON p.idempotency_key = CONCAT('bench:bill:', b.bill_id)
        WHERE b.run_id = {int(run_id)} ORDER BY p.payment_id""")
    s.execute(f"""
        INSERT INTO ledger_entry (account_id, entry_type, amount, payment_id, entry_date, posted_at, actor)
        SELECT p.account_id, 'payment', -p.amount, p.payment_id, DATE(p.paid_at), p.posted_at,
               'bench:generate'
        FROM bill b JOIN payment p ON p.idempotency_key = CONCAT('bench:bill:', b.bill_id)
        WHERE b.run_id = {int(run_id)} ORDER BY p.payment_id""")
    s.execute(f"""
        UPDATE bill b JOIN payment p ON p.idempotency_key = CONCAT('bench:bill:', b.bill_id)
        SET b.amount_paid = p.amount
        WHERE b.run_id = {int(run_id)}""")


def preview_month(s, m):
    """preview_billing of month m on its issue date (as run_month), then discard_preview: the
    preview costs what its rows cost and leaves nothing behind for the run measured after it."""
    start, end, issue = period(m)
    s.execute("SET timestamp = UNIX_TIMESTAMP(%s)", f"{issue} 06:00:00")
    try:
        t = time.perf_counter()
        r = s.call("preview_billing", start, end, issue, 14, "batch:bench")
        secs = time.perf_counter() - t
        s.call("discard_preview", r["preview_id"], "batch:bench")
        return secs, r
    finally:
        s.execute("SET timestamp = DEFAULT")


def run_month(s, m):
    """run_billing of month m on its issue date: the session's clock is moved there (the rules
    bill only a period that is over, issued today or later) and put back after."""
    start, end, issue = period(m)
    s.execute("SET timestamp = UNIX_TIMESTAMP(%s)", f"{issue} 06:00:00")
    try:
        t = time.perf_counter()
        r = s.call("run_billing", start, end, issue, 14, "batch:bench")
        return time.perf_counter() - t, r
    finally:
        s.execute("SET timestamp = DEFAULT")
