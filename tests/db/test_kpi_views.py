"""The report and home-page views (db/views/v_report_*.sql, v_kpi_*.sql) and the account summary
printed on a bill (v_bill_account_summary) against the views and
tables they summarise, on the demo data (bin/demo-data: a year of billing and payments made with
the procedures) and on a few rows made here."""
import datetime as dt
from decimal import Decimal

import pytest

from helpers.factories import make_metered_account, make_tariff
from helpers.report_figures import views_match_the_rows

MONEY = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus", "total_open")


def test_report_aging_is_v_aging_with_whom_to_call(demo):
    rows = demo.rows("SELECT * FROM v_report_aging ORDER BY account_id")
    aging = demo.rows("SELECT * FROM v_aging ORDER BY account_id")
    assert len(rows) == len(aging) > 10
    for r, a in zip(rows, aging):
        assert [r[c] for c in ("account_id", *MONEY)] == [a[c] for c in ("account_id", *MONEY)]
        assert r["overdue"] == a["total_open"] - a["not_due"]
    people = {r["account_id"]: (r["full_name"], r["phone"], r["code"]) for r in demo.rows(
        "SELECT a.account_id, c.full_name, c.phone, t.code FROM account a "
        "JOIN customer c ON c.customer_id = a.customer_id JOIN tariff t ON t.tariff_id = a.tariff_id")}
    assert all(people[r["account_id"]] == (r["customer_name"], r["phone"], r["tariff_code"])
               for r in rows)


def test_report_collections_splits_v_collections_daily_by_cashier(demo):
    by_cashier = demo.rows("SELECT day, method, SUM(payments) AS payments, SUM(amount) AS amount,"
                           " SUM(reversed_amount) AS reversed FROM v_report_collections "
                           "GROUP BY day, method ORDER BY day, method")
    daily = demo.rows("SELECT day, method, payments, amount, reversed_amount AS reversed "
                      "FROM v_collections_daily ORDER BY day, method")
    assert len(daily) > 20
    assert [(r["day"], r["method"], int(r["payments"]), r["amount"], r["reversed"])
            for r in by_cashier] == [(r["day"], r["method"], r["payments"], r["amount"],
                                      r["reversed"]) for r in daily]


def test_kpi_summary_against_the_tables(demo):
    k = demo.row("SELECT * FROM v_kpi_summary")
    today = demo.value("SELECT CURRENT_DATE")
    first = today.replace(day=1)
    assert k["as_of"] == today and k["month_start"] == first
    bills = demo.rows("SELECT * FROM v_bill_summary WHERE cancelled_at IS NULL")
    this_month = [b for b in bills if (b["issue_date"].year, b["issue_date"].month)
                  == (today.year, today.month)]
    assert k["bills_this_month"] == len(this_month)
    assert k["billed_this_month"] == sum((b["total_amount"] for b in this_month), Decimal("0"))
    pays = demo.rows("SELECT amount, paid_at FROM payment WHERE status = 'posted'")
    mine = [p["amount"] for p in pays if p["paid_at"].date() >= first]
    assert (k["payments_this_month"], k["collected_this_month"]) == (len(mine), sum(mine, Decimal(0)))
    aging = demo.row("SELECT SUM(total_open) AS open_, SUM(total_open - not_due) AS overdue, "
                     "COUNT(*) AS accounts, SUM(total_open > not_due) AS late FROM v_aging")
    assert k["open_amount"] == aging["open_"] > 0
    assert k["overdue_amount"] == aging["overdue"]
    assert k["accounts_open"] == aging["accounts"] and k["accounts_overdue"] == aging["late"]
    last90 = sum((b["total_amount"] for b in bills
                  if today - dt.timedelta(days=90) < b["issue_date"] <= today), Decimal(0))
    assert k["billed_last_90_days"] == last90 > 0
    assert k["dso_days"] == (k["open_amount"] * 90 / last90).quantize(Decimal("0.1"))
    assert k["readings_in_review"] == demo.value(
        "SELECT COUNT(*) FROM meter_reading WHERE status = 'review'")
    assert k["open_exceptions"] == demo.value(
        "SELECT COUNT(DISTINCT account_id) FROM v_billing_exceptions WHERE resolved = 0")


def test_kpi_aging_buckets_are_v_aging_by_column(demo):
    rows = demo.rows("SELECT * FROM v_kpi_aging_buckets ORDER BY bucket_no")
    assert [r["bucket"] for r in rows] == list(MONEY[:-1])
    for r in rows:
        c = r["bucket"]
        assert r["amount"] == demo.value(f"SELECT COALESCE(SUM({c}), 0) FROM v_aging")
        assert r["accounts"] == demo.value(f"SELECT COUNT(*) FROM v_aging WHERE {c} <> 0")
    assert sum(r["amount"] for r in rows) == demo.value("SELECT SUM(total_open) FROM v_aging")


def test_kpi_monthly_twelve_months_billed_and_collected(demo):
    rows = demo.rows("SELECT * FROM v_kpi_monthly ORDER BY month")
    today = demo.value("SELECT CURRENT_DATE")
    assert len(rows) == 12 and rows[-1]["month"] == today.strftime("%Y-%m")
    assert [r["partial_month"] for r in rows] == [0] * 11 + [1]
    for r in rows:
        assert (r["bills"], r["billed"]) == tuple(demo.row(
            "SELECT COUNT(*) AS n, COALESCE(SUM(total_amount), 0) AS s FROM bill "
            "WHERE cancelled_at IS NULL AND DATE_FORMAT(issue_date, '%%Y-%%m') = %s",
            r["month"]).values())
        assert (r["payments"], r["collected"]) == tuple(demo.row(
            "SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS s FROM payment "
            "WHERE status = 'posted' AND DATE_FORMAT(paid_at, '%%Y-%%m') = %s",
            r["month"]).values())
    assert sum(r["bills"] for r in rows) > 1000 and sum(r["payments"] for r in rows) > 1000


def test_report_consumption_marks_the_current_month(demo):
    rows = demo.rows("SELECT month, partial_month FROM v_report_consumption")
    this = demo.value("SELECT DATE_FORMAT(CURRENT_DATE, '%Y-%m')")
    assert rows and all(r["partial_month"] == (r["month"] == this) for r in rows)


# ---- the account summary printed on a bill (v_bill_account_summary, v_bill_account_activity) --
# Each bill's figures add up to its balance after; a bill starts where the previous one's issue
# ended (its rebates earned at issue by credit included: an outside review found them left out
# of "Balance after this bill"); the listed entries are the window's.

def test_the_summaries_add_up_and_chain_bill_to_bill(demo):
    rows = demo.rows(
        "SELECT s.*, (SELECT COALESCE(SUM(a.amount), 0) FROM v_bill_account_activity a "
        "              WHERE a.bill_id = s.bill_id) AS listed, "
        "       (SELECT p.balance_after FROM v_bill_account_summary p "
        "         WHERE p.bill_id = s.prev_bill_id) AS prev_after "
        "FROM v_bill_account_summary s ORDER BY s.bill_id")
    assert len(rows) > 1000
    for s in rows:
        assert s["balance_after"] == (s["previous_balance"] + s["payments"] + s["adjustments"]
                                      + s["new_charges"] + s["rebate_at_issue"]), s
        assert s["listed"] == s["payments"] + s["adjustments"], s
        assert s["prev_after"] == (s["previous_balance"] if s["prev_bill_id"] else None), s


# the reports' kept figures (migrations 0121, 0122; tests/db/test_report_totals.py for the
# writers one by one and concurrency), on the demo year: before the first test that asks for `db`,
# which empties the demo's schema
def test_the_demo_has_rebates_late_fees_and_reversals(demo):
    """The scenario below is not vacuous: the demo's year has every writer's change in it."""
    kinds = {r["kind"] for r in demo.rows("SELECT DISTINCT kind FROM bill_line")}
    assert {"energy", "fixed", "tax", "rebate", "late_fee"} <= kinds
    assert demo.value("SELECT COUNT(*) FROM payment WHERE status = 'reversed'") > 0
    assert demo.value("SELECT COUNT(DISTINCT method) FROM payment") > 1
    assert demo.value("SELECT COUNT(*) FROM meter_reading WHERE status = 'review'") > 0
    assert demo.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'estimated'") > 0


def test_views_equal_the_rows_before_and_after_a_fold(demo):
    deltas = demo.value("SELECT (SELECT COUNT(*) FROM report_revenue_part WHERE folded = 0)"
                        " + (SELECT COUNT(*) FROM report_collections_part WHERE folded = 0)"
                        " + (SELECT COUNT(*) FROM report_consumption_part WHERE folded = 0)")
    assert deltas > 0                     # the demo's procedures appended them
    views_match_the_rows(demo)
    r = demo.call("fold_report_deltas")
    assert r["revenue_deltas"] + r["collections_deltas"] + r["consumption_deltas"] == deltas
    # one folded row per key, no delta left
    assert demo.row("SELECT SUM(folded = 0) AS deltas, COUNT(*) - COUNT(DISTINCT month_start, "
                    "tariff_version_id) AS extra FROM report_revenue_part") == {"deltas": 0, "extra": 0}
    assert demo.row("SELECT SUM(folded = 0) AS deltas, COUNT(*) - COUNT(DISTINCT day, cashier, "
                    "method) AS extra FROM report_collections_part") == {"deltas": 0, "extra": 0}
    views_match_the_rows(demo)
    assert demo.call("fold_report_deltas") == {"revenue_deltas": 0, "collections_deltas": 0,
                                               "consumption_deltas": 0}


def test_rebuild_mends_totals_that_drifted(demo):
    demo.call("fold_report_deltas")
    demo.execute("UPDATE report_revenue_part SET bills = bills + 1 ORDER BY part_id LIMIT 1")
    demo.execute("DELETE FROM report_collections_part ORDER BY part_id LIMIT 1")
    demo.execute("UPDATE report_consumption_part SET meters = meters - 1 ORDER BY part_id LIMIT 1")
    checks = {r["check_name"] for r in demo.rows("SELECT check_name FROM v_ledger_integrity")}
    assert checks == {"report_revenue", "report_collections", "report_consumption"}
    r = demo.call("rebuild_report_totals")
    assert r["revenue_rows"] > 0 and r["collections_rows"] > 0 and r["consumption_rows"] > 0
    views_match_the_rows(demo)
    assert demo.rows("SELECT * FROM v_ledger_integrity") == []


def test_kpi_collections_today_per_cashier_and_all(db):
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", serial="SN-K-1")
    today = db.value("SELECT CURRENT_DATE")
    db.set_clock(f"{today} 23:00:00")          # the payments below are paid earlier today
    assert db.rows("SELECT * FROM v_kpi_collections_today") == []
    db.call("post_payment", a.account_id, "5.00", "cash", f"{today} 09:00:00", "k1", "staff:ann")
    db.call("post_payment", a.account_id, "7.25", "card", f"{today} 10:00:00", "k2", "staff:bob")
    db.call("post_payment", a.account_id, "2.00", "cash", f"{today} 11:00:00", "k3", "staff:ann")
    db.call("post_payment", a.account_id, "9.00", "cash", f"{today - dt.timedelta(days=1)} 11:00:00",
            "k4", "staff:ann")
    got = {r["cashier"]: (r["payments"], r["amount"])
           for r in db.rows("SELECT * FROM v_kpi_collections_today")}
    assert got == {"staff:ann": (2, Decimal("7.00")), "staff:bob": (1, Decimal("7.25")),
                   None: (3, Decimal("14.25"))}


def _kept_and_live(d):
    cols = ("as_of", "month_start", "bills_this_month", "billed_this_month",
            "payments_this_month", "collected_this_month", "open_amount", "accounts_open",
            "overdue_amount", "accounts_overdue", "billed_last_90_days", "dso_days",
            "readings_in_review", "open_exceptions")
    kept, live = d.row("SELECT * FROM v_kpi_kept_summary"), d.row("SELECT * FROM v_kpi_summary")
    return [kept[c] for c in cols], [live[c] for c in cols], kept


def test_refresh_kpi_snapshot_keeps_the_live_figures(demo):
    """The home page's kept figures (migration 0133) are the live views' rows as they were when
    the 5-minute job took them: the summary, the five buckets and the twelve months."""
    taken = demo.call("refresh_kpi_snapshot")
    kept, live, row = _kept_and_live(demo)
    assert kept == live and any(live[2:12])                   # money on the demo data
    assert row["taken_at"] == taken["taken_at"] and row["as_of"] == taken["as_of"]
    assert 0 <= row["age_seconds"] <= 5
    cols = "bucket_no, bucket, accounts, amount"
    assert demo.rows(f"SELECT {cols} FROM v_kpi_kept_aging_buckets ORDER BY bucket_no") == \
        demo.rows(f"SELECT {cols} FROM v_kpi_aging_buckets ORDER BY bucket_no")
    cols = "month, month_start, months_ago, partial_month, bills, billed, payments, collected"
    kept_months = demo.rows(f"SELECT {cols} FROM v_kpi_kept_monthly ORDER BY month")
    assert len(kept_months) == 12
    assert [dict(m, partial_month=int(m["partial_month"])) for m in kept_months] == [
        dict(m, partial_month=int(m["partial_month"]), months_ago=int(m["months_ago"]))
        for m in demo.rows(f"SELECT {cols} FROM v_kpi_monthly ORDER BY month")]
    # a second refresh replaces the set (one row, five, twelve), never adds to it
    demo.call("refresh_kpi_snapshot")
    assert [demo.value(f"SELECT COUNT(*) FROM {t}") for t in
            ("kpi_snapshot", "kpi_snapshot_bucket", "kpi_snapshot_month")] == [1, 5, 12]


def test_the_kept_figures_stay_as_taken_and_the_work_waiting_is_live(db):
    """After a refresh, a payment changes the live figures, not the kept ones (until the next
    refresh); the readings in review are counted live in both."""
    make_tariff(db, code="RES")
    acc = make_metered_account(db, tariff_code="RES", serial="SN-K-1", opened_on="2026-01-01")
    db.call("record_reading", "SN-K-1", "2026-01-31", 100, "field", "staff:test")
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:test")
    db.call("refresh_kpi_snapshot")
    before = db.row("SELECT open_amount, readings_in_review FROM v_kpi_kept_summary")
    db.call("post_payment", acc.account_id, "1.00", "cash", None, "k-1", "staff:test")
    db.call("record_reading", "SN-K-1", str(db.value("SELECT CURRENT_DATE")), 90000, "field",
            "staff:test")                                          # far above: in review
    kept = db.row("SELECT open_amount, readings_in_review FROM v_kpi_kept_summary")
    live = db.row("SELECT open_amount, readings_in_review FROM v_kpi_summary")
    assert kept["open_amount"] == before["open_amount"] == live["open_amount"] + Decimal("1.00")
    assert kept["readings_in_review"] == live["readings_in_review"] == 1
    assert before["readings_in_review"] == 0
    db.call("refresh_kpi_snapshot")
    assert db.value("SELECT open_amount FROM v_kpi_kept_summary") == live["open_amount"]


def test_a_refresh_neither_waits_for_a_payment_nor_counts_it_before_it_commits(db, connect):
    """The refresh reads the bills under READ COMMITTED, without a lock: a posting that holds
    the account and its open bills (post_payment's locks) and has not committed does not hold
    the refresh up (a lock wait of 1 s would fail it), and its money is not counted yet."""
    make_tariff(db, code="RES")
    acc = make_metered_account(db, tariff_code="RES", serial="SN-K-2", opened_on="2026-01-01")
    db.call("record_reading", "SN-K-2", "2026-01-31", 100, "field", "staff:test")
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:test")
    open_before = db.value("SELECT open_amount FROM v_kpi_summary")
    holder, refresher = connect(), connect()
    holder.execute("START TRANSACTION")
    holder.rows("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE", acc.account_id)
    holder.execute("UPDATE bill SET amount_paid = amount_paid + 1 WHERE account_id = %s",
                   acc.account_id)
    refresher.execute("SET SESSION innodb_lock_wait_timeout = 1")
    refresher.call("refresh_kpi_snapshot")
    assert refresher.value("SELECT open_amount FROM v_kpi_kept_summary") == open_before
    holder.execute("ROLLBACK")
