"""The reports' kept figures (migrations 0121, 0122): v_report_revenue, v_report_collections,
v_collections_daily and v_report_consumption sum report_revenue_part, report_collections_part and
report_consumption_part; every writer appends its delta (folded = 0) in its own transaction;
fold_report_deltas replaces a key's committed deltas and folded row by one folded row.

Checked against the rows they sum (helpers.report_figures: the views' definitions before 0121)
after every writer, beside an open writer, under concurrency and across fold batches here; on the
demo year (rebates, reversals, late fees) in test_kpi_views.py, which loads the demo once for all
the report tests."""
import threading
from decimal import Decimal

from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account, make_tariff
from helpers.report_figures import views_match_the_rows


def test_every_writer_appends_its_delta(db):
    """A billing run, a payment with a rebate and its reversal, a late fee, a cancelled bill, then
    readings accepted, rejected, in review, approved and rejected, and a meter exchange: after
    each, the views equal the rows (v_ledger_integrity's report checks too). Bank files: the
    integrity checks of test_payment_batch.py."""
    db.set_clock("2026-02-01 09:00:00")
    tariff = make_tariff(db, versions=[{"effective_from": "2000-01-01", "fixed_charge": "5.00",
                                        "tax_rate_pct": "10", "late_fee_pct": "2",
                                        "early_pay_pct": "2", "early_pay_days": 10}])
    acc = make_metered_account(db, tariff_code=tariff.code)
    db.call("record_reading", acc.serial, "2026-01-31", "120", "field", ACTOR)
    run = db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", "14", ACTOR)
    assert run["bills_created"] == 1
    views_match_the_rows(db)
    bill = db.row("SELECT bill_id, total_amount, rebate_amount FROM bill WHERE account_id = %s",
                  acc.account_id)
    db.set_clock("2026-02-03 10:00:00")
    pay = db.call("post_payment", acc.account_id, str(bill["total_amount"]), "card",
                  "2026-02-03 10:00:00", None, ACTOR)
    views_match_the_rows(db)
    assert db.value("SELECT rebate_granted FROM bill WHERE bill_id = %s", bill["bill_id"]) == 1
    db.call("reverse_payment", pay["payment_id"], "cheque returned unpaid", "staff:bob")
    views_match_the_rows(db)
    db.set_clock("2026-03-01 09:00:00")
    assert db.call("apply_late_fees", "2026-03-01", ACTOR)["bills_charged"] == 1
    views_match_the_rows(db)
    db.call("cancel_bill", bill["bill_id"], "wrong reading", "staff:bob")
    views_match_the_rows(db)
    assert db.value("SELECT COUNT(*) FROM v_report_revenue") == 0   # its only bill is cancelled
    # readings: one accepted then rejected (a misread), one in review then approved, another
    # in review then rejected; the meter exchanged (its final reading counts)
    db.set_clock("2026-06-30 09:00:00")
    ok = db.call("record_reading", acc.serial, "2026-03-31", "240", "field", ACTOR)
    assert ok["status"] == "accepted"
    views_match_the_rows(db)
    db.call("reject_reading", ok["reading_id"], "misread", "staff:bob")
    views_match_the_rows(db)
    high = db.call("record_reading", acc.serial, "2026-04-30", "2400", "field", ACTOR)
    assert high["status"] == "review"
    views_match_the_rows(db)
    db.call("approve_reading", high["reading_id"], "staff:boss")
    views_match_the_rows(db)
    higher = db.call("record_reading", acc.serial, "2026-05-31", "24000", "field", ACTOR)
    assert higher["status"] == "review"
    views_match_the_rows(db)
    db.call("reject_reading", higher["reading_id"], "typo", "staff:bob")
    views_match_the_rows(db)
    db.call("exchange_meter", acc.account_id, "2026-06-15", "2500", "SN-NEW-1", "5", "1", "0",
            ACTOR)
    views_match_the_rows(db)
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_a_fold_skips_what_is_not_committed_and_never_waits(db, connect):
    db.set_clock("2026-02-03 10:00:00")
    acc = make_metered_account(db)
    db.call("post_payment", acc.account_id, "10.00", "cash", "2026-02-03 10:00:00", None, ACTOR)
    writer = connect()
    writer.set_clock("2026-02-03 10:00:00")
    writer.execute("SET autocommit = 0")
    # a posting half way: its delta is written, its transaction open
    writer.execute("INSERT INTO report_collections_part (day, cashier, method, payments, amount)"
                   " VALUES ('2026-02-03', 'staff:open', 'cash', 1, 5.00)")
    db.execute("SET SESSION innodb_lock_wait_timeout = 1")
    assert db.call("fold_report_deltas") == {"revenue_deltas": 0, "collections_deltas": 1,
                                             "consumption_deltas": 0}
    writer.execute("COMMIT")
    assert db.value("SELECT COUNT(*) FROM report_collections_part WHERE folded = 0") == 1
    assert db.call("fold_report_deltas") == {"revenue_deltas": 0, "collections_deltas": 1,
                                             "consumption_deltas": 0}
    got = db.rows("SELECT cashier, payments, amount FROM report_collections_part ORDER BY cashier")
    assert [(r["cashier"], r["payments"], r["amount"]) for r in got] == [
        ("staff:open", 1, Decimal("5.00")), (ACTOR, 1, Decimal("10.00"))]


def test_postings_and_folds_side_by_side_stay_exact(db, connect):
    """Postings on 8 accounts from 4 sessions while another session folds in a loop: no error
    reaches a posting, nothing is counted twice or lost."""
    db.set_clock("2026-02-03 10:00:00")
    accounts = [make_metered_account(db).account_id for _ in range(8)]
    errors, done = [], threading.Event()

    def post(k):
        c = connect()
        c.set_clock("2026-02-03 10:00:00")
        try:
            for i in range(25):
                c.call("post_payment", accounts[(k * 25 + i) % 8], f"{1 + i % 7}.{k}5",
                       ["cash", "card", "online"][i % 3], "2026-02-03 10:00:00", None,
                       f"staff:clerk{k}")
        except DbError as exc:                       # pragma: no cover - reported below
            errors.append(exc)

    def fold():
        c = connect()
        while not done.is_set():
            c.call("fold_report_deltas")

    folder = threading.Thread(target=fold)
    folder.start()
    posters = [threading.Thread(target=post, args=(k,)) for k in range(4)]
    for t in posters:
        t.start()
    for t in posters:
        t.join()
    done.set()
    folder.join()
    assert errors == []
    assert db.value("SELECT COUNT(*) FROM payment") == 100
    views_match_the_rows(db)
    db.call("fold_report_deltas")
    assert db.row("SELECT SUM(payments) AS n, SUM(folded = 0) AS deltas "
                  "FROM report_collections_part") == {"n": 100, "deltas": 0}
    views_match_the_rows(db)


def test_a_fold_of_more_than_one_batch(db):
    """60,001 deltas (more than a batch of 50,000, with 100-character cashiers: a MEMORY work
    table of that many rows is full at 16 MB) fold in two batches to one row per key."""
    db.set_clock("2026-02-03 10:00:00")
    acc = make_metered_account(db)
    db.call("post_payment", acc.account_id, "10.00", "cash", "2026-02-03 10:00:00", None, ACTOR)
    cashier = "batch:" + "x" * 94
    # pairs that cancel out, so that the figures stay those of the payment
    db.execute("INSERT INTO report_collections_part (day, cashier, method, payments, amount) "
               "SELECT DATE '2026-01-01' + INTERVAL (n MOD 30) DAY, %s, 'card', s.sgn, s.sgn * 1.25 "
               "FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n "
               "      FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 "
               "            UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
               "            UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a, "
               "           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 "
               "            UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
               "            UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b, "
               "           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 "
               "            UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
               "            UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c, "
               "           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 "
               "            UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 "
               "            UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e, "
               "           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2) f) k "
               "CROSS JOIN (SELECT 1 AS sgn UNION ALL SELECT -1) s",
               cashier)
    assert db.value("SELECT COUNT(*) FROM report_collections_part WHERE folded = 0") == 60001
    r = db.call("fold_report_deltas")
    assert r["collections_deltas"] == 60001
    assert db.row("SELECT COUNT(*) AS n, SUM(folded = 0) AS deltas, SUM(payments) AS payments "
                  "FROM report_collections_part") == {"n": 31, "deltas": 0, "payments": 1}
    views_match_the_rows(db)
