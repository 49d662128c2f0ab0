"""The cashier's views (issue 24 §4): v_staff_collections_cashier (the collections page and the
drawer close) and v_kpi_collections_today (the home page) read the kept collections figures
(report_collections_part, migration 0121), never every payment, and give the figures that
counting the payments gives: by DATE(paid_at), posted_by and method, a reversed payment on the
day it was paid. Also the index of the drawer's list of payments (migration 0123)."""
import datetime as dt
import json
from decimal import Decimal

from helpers.factories import make_metered_account, make_tariff

FIGURES = ("payments", "amount", "reversed_payments", "reversed_amount")

# the figures counted again from the payments, with the subtotals and totals of the view
RECOUNT_ROLLUP = ("SELECT day, cashier, method, SUM(payments) AS payments, SUM(amount) AS amount,"
                  " SUM(reversed_payments) AS reversed_payments,"
                  " SUM(reversed_amount) AS reversed_amount,"
                  " SUM(payments + reversed_payments) AS payments_taken"
                  " FROM v_report_collections_recount"
                  " GROUP BY day, cashier, method WITH ROLLUP")


def keyed(rows):
    return {(r["day"], r["cashier"], r["method"]):
            tuple(r[c] for c in FIGURES + ("payments_taken",)) for r in rows
            if r["day"] is not None}


def reads_payments(db, view):
    """Whether the view's definition names the payment table (it should read the kept rows)."""
    definition = db.row(f"SHOW CREATE VIEW {view}")["Create View"]
    return "`payment`" in definition


def test_collections_by_cashier_is_the_recount_with_subtotals_on_the_demo(demo):
    got = keyed(demo.rows("SELECT * FROM v_staff_collections_cashier"))
    want = keyed(demo.rows(RECOUNT_ROLLUP))
    assert len(want) > 50 and got == want
    assert not reads_payments(demo, "v_staff_collections_cashier")


def test_collections_by_cashier_after_postings_reversals_a_bank_file_and_a_fold(db):
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", serial="SN-CC-1", opened_on="2026-01-01")
    no = db.value("SELECT account_no FROM account WHERE account_id = %s", a.account_id)
    db.set_clock("2026-11-21")
    ids = [db.call("post_payment", a.account_id, amount, method, paid_at, key, actor)["payment_id"]
           for amount, method, paid_at, key, actor in (
               ("5.00", "cash", "2026-11-20 00:00:00", "k1", "staff:ann"),
               ("7.25", "card", "2026-11-20 23:59:59", "k2", "staff:ann"),
               ("2.00", "cash", "2026-11-20 10:00:00", "k3", "staff:bob"),
               ("3.00", "cash", "2026-11-21 00:00:00", "k4", "staff:ann"),
               ("4.00", "cheque", "2026-11-19 23:59:59", "k5", "staff:bob"))]
    # a bounced cheque, reversed on the 21st: it counts as reversed on the day it was paid
    db.call("reverse_payment", ids[4], "bounced", "staff:ann")
    db.call("reverse_payment", ids[2], "wrong account", "staff:ann")
    batch = db.call("stage_payment_batch", "bank-1.csv", json.dumps(
        [{"account_no": no, "amount": "10.00", "method": "bank_transfer",
          "paid_at": "2026-11-20 09:00:00", "key": "bank:1"},
         {"account_no": no, "amount": "11.00", "method": "bank_transfer",
          "paid_at": "2026-11-21 09:00:00", "key": "bank:2"}]), "batch:bank")["batch_id"]
    db.call("post_payment_batch", batch, "batch:bank")
    want = keyed(db.rows(RECOUNT_ROLLUP))
    assert keyed(db.rows("SELECT * FROM v_staff_collections_cashier")) == want
    day = dt.date(2026, 11, 20)
    assert want[(day, None, None)] == (3, Decimal("22.25"), 1, Decimal("2.00"), 4)
    assert want[(day, "staff:bob", None)] == (0, Decimal("0.00"), 1, Decimal("2.00"), 1)
    db.call("fold_report_deltas")
    assert keyed(db.rows("SELECT * FROM v_staff_collections_cashier")) == want


def test_collections_by_cashier_reads_the_kept_figures(db):
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", serial="SN-CC-2", opened_on="2026-01-01")
    db.set_clock("2026-11-21")
    db.call("post_payment", a.account_id, "5.00", "cash", "2026-11-20 10:00:00", "k1", "staff:ann")
    # a kept row that no payment backs shows in the view: it adds up report_collections_part
    db.execute("INSERT INTO report_collections_part (day, cashier, method, payments, amount) "
               "VALUES ('2026-11-20', 'staff:ann', 'cash', 1, 1.00)")
    got = db.row("SELECT payments, amount FROM v_staff_collections_cashier "
                 "WHERE day = '2026-11-20' AND cashier IS NULL")
    assert (got["payments"], got["amount"]) == (2, Decimal("6.00"))
    assert not reads_payments(db, "v_staff_collections_cashier")


def test_kpi_collections_today_reads_the_kept_figures_and_leaves_out_reversed(db):
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", serial="SN-CC-3", opened_on="2026-01-01")
    db.set_clock("2026-11-20 23:00:00")
    cal = db.call("post_payment", a.account_id, "4.00", "cash", "2026-11-20 09:00:00", "k1",
                  "staff:cal")["payment_id"]
    db.call("post_payment", a.account_id, "6.00", "cash", "2026-11-20 10:00:00", "k2", "staff:ann")
    db.call("post_payment", a.account_id, "1.50", "card", "2026-11-20 11:00:00", "k3", "staff:ann")
    db.call("reverse_payment", cal, "wrong account", "staff:ann")
    got = {r["cashier"]: (r["payments"], r["amount"])
           for r in db.rows("SELECT * FROM v_kpi_collections_today")}
    assert got == {"staff:ann": (2, Decimal("7.50")), None: (2, Decimal("7.50"))}
    assert not reads_payments(db, "v_kpi_collections_today")


def test_a_days_figures_are_one_range_of_the_day_index(db):
    """Each branch of the collections view and the home page's view read the day's kept rows
    through ix_report_collections_part_day (migration 0124); the ROLLUP the view was grouped
    every day kept before the day was picked (no index could serve it)."""
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", serial="SN-CC-4", opened_on="2026-01-01")
    db.set_clock("2026-11-21")
    for n, day in enumerate(("2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21")):
        db.call("post_payment", a.account_id, "5.00", "cash", f"{day} 10:00:00", f"k{n}",
                "staff:ann")
    db.call("fold_report_deltas")
    for sql in ("EXPLAIN SELECT * FROM v_staff_collections_cashier WHERE day = '2026-11-20'",
                "EXPLAIN SELECT * FROM v_staff_collections_cashier WHERE day = '2026-11-20' "
                "AND cashier = 'staff:ann'",
                "EXPLAIN SELECT * FROM v_kpi_collections_today"):
        reads = [r for r in db.rows(sql) if r["table"] == "s"]      # report_collections_part
        assert len(reads) >= 1 and all(
            r["key"] == "ix_report_collections_part_day" for r in reads), (sql, reads)
    # and no row for every day together (the ROLLUP's)
    assert db.rows("SELECT * FROM v_staff_collections_cashier WHERE day IS NULL") == []


def test_the_drawer_has_an_index_of_cashier_then_paid_at(db):
    cols = db.value("SELECT GROUP_CONCAT(column_name ORDER BY seq_in_index) "
                    "FROM information_schema.statistics WHERE table_schema = DATABASE() "
                    "AND table_name = 'payment' AND index_name = 'ix_payment_cashier_paid'")
    assert cols == "posted_by,paid_at"
