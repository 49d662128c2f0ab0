"""The aging report kept by the 5-minute job (refresh_aging_snapshot, migration 0140;
v_staff_aging_kept, v_staff_aging_kept_total) against v_report_aging and v_staff_aging_total, on
rows made here: the same rows in the report's order with the same figures,
the kept sums of every filter equal to the live view's, a report that stays as taken until the
next refresh, a refresh that writes only the rows that changed, an empty report, and a refresh
that neither waits for a posting nor counts it early and leaves the session as it found it."""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account, make_tariff

COLS = ("account_id, account_no, customer_id, customer_name, phone, tariff_code, not_due, d1_30, "
        "d31_60, d61_90, d90_plus, total_open, overdue")
SUMS = ("COUNT(*) AS accounts, SUM(not_due) AS not_due, SUM(d1_30) AS d1_30, SUM(d31_60) AS d31_60,"
        " SUM(d61_90) AS d61_90, SUM(d90_plus) AS d90_plus, SUM(total_open) AS total_open")
KEPT_SUMS = ("SUM(accounts) AS accounts, SUM(not_due) AS not_due, SUM(d1_30) AS d1_30, "
             "SUM(d31_60) AS d31_60, SUM(d61_90) AS d61_90, SUM(d90_plus) AS d90_plus, "
             "SUM(total_open) AS total_open")


ORDER = "ORDER BY total_open DESC, account_id"       # the report's


def _kept_and_live(d):
    kept = d.rows(f"SELECT {COLS} FROM v_staff_aging_kept {ORDER}")
    live = d.rows(f"SELECT {COLS} FROM v_report_aging {ORDER}")
    return kept, live


def _text(row):
    return {k: (None if v is None else str(v)) for k, v in row.items()}


def _check_kept_equals_live(d):
    """The kept rows are v_report_aging's, in its order; the kept sums of every filter (all, a
    tariff, overdue or not, both) are the live view's COUNT and SUMs."""
    kept, live = _kept_and_live(d)
    assert kept == live
    tariffs = [r["tariff_code"] for r in d.rows("SELECT DISTINCT tariff_code FROM v_report_aging")]
    filters = [("TRUE", "TRUE")] + [(f"tariff_code = '{t}'",) * 2 for t in tariffs]
    filters += [(f"{f} AND overdue = {o}", f"{f} AND overdue {'>' if o else '='} 0")
                for f in ["TRUE"] + [f"tariff_code = '{t}'" for t in tariffs] for o in (0, 1)]
    for kept_where, live_where in filters:
        mine = d.row(f"SELECT {KEPT_SUMS} FROM v_staff_aging_kept_total WHERE {kept_where}")
        theirs = d.row(f"SELECT {SUMS} FROM v_report_aging WHERE {live_where}")
        if theirs["accounts"] == 0:
            assert mine["accounts"] in (None, 0), kept_where
            continue
        assert _text(mine) == _text(theirs), kept_where
    everything = d.row(f"SELECT {KEPT_SUMS} FROM v_staff_aging_kept_total")
    assert _text(everything) == _text(d.row("SELECT * FROM v_staff_aging_total"))
    return live


def _aging_data(db):
    """Three accounts on two tariffs billed five months, a part payment, one paid up (with credit
    left), the last bill of the third cancelled; on 2025-11-20 money is open in every bucket."""
    make_tariff(db, code="RES", name="Residential")
    make_tariff(db, code="BIZ", name="Business")
    accounts = [make_metered_account(db, tariff_code=code, serial=f"SN-AK-{n}",
                                     opened_on="2025-06-01")
                for n, code in enumerate(("RES", "RES", "BIZ", "BIZ"))]
    for month, (start, end, issue) in enumerate((("2025-06-01", "2025-06-30", "2025-07-01"),
                                                 ("2025-07-01", "2025-07-31", "2025-08-01"),
                                                 ("2025-08-01", "2025-08-31", "2025-09-01"),
                                                 ("2025-09-01", "2025-09-30", "2025-10-01"),
                                                 ("2025-10-01", "2025-10-31", "2025-11-01"),
                                                 ("2025-11-01", "2025-11-15", "2025-11-16"))):
        db.set_clock(issue)
        for n, a in enumerate(accounts):
            db.call("record_reading", a.serial, end, 100 * (month + 1) * (n + 1), "field", ACTOR)
        db.call("run_billing", start, end, issue, 14, ACTOR)
    db.set_clock("2025-11-17")
    db.call("post_payment", accounts[0].account_id, "5.00", "cash", None, "k-ak-1", ACTOR)
    db.call("post_payment", accounts[1].account_id, "100000.00", "cash", None, "k-ak-2", ACTOR)
    last = db.value("SELECT MAX(bill_id) FROM bill WHERE account_id = %s", accounts[2].account_id)
    db.call("cancel_bill", last, "wrong reading", ACTOR)
    db.set_clock("2025-11-20")
    return accounts


def test_the_kept_report_is_v_report_aging_in_its_order(db):
    _aging_data(db)
    taken = db.call("refresh_aging_snapshot")
    live = _check_kept_equals_live(db)
    assert len(live) == 3
    head = db.rows("SELECT DISTINCT taken_at, as_of, age_seconds FROM v_staff_aging_kept_total")
    assert len(head) == 1 and 0 <= head[0]["age_seconds"] <= 5
    assert (head[0]["taken_at"], head[0]["as_of"]) == (taken["taken_at"], taken["as_of"])
    assert (taken["accounts"], taken["total_open"]) == (
        len(live), sum(r["total_open"] for r in live))
    # a second refresh replaces the report, never adds to it
    db.call("refresh_aging_snapshot")
    assert [db.value(f"SELECT COUNT(*) FROM {t}") for t in
            ("aging_snapshot", "aging_snapshot_account")] == [1, len(live)]
    db.set_clock(None)


def test_every_bucket_and_filter_kept_as_the_live_report_says(db):
    accounts = _aging_data(db)
    taken = db.call("refresh_aging_snapshot")
    assert str(taken["as_of"]) == "2025-11-20"
    live = _check_kept_equals_live(db)
    assert [r["account_id"] for r in live] == [accounts[3].account_id, accounts[2].account_id,
                                               accounts[0].account_id]
    totals = db.row("SELECT * FROM v_staff_aging_total")
    assert all(totals[k] > 0 for k in ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus"))
    db.set_clock(None)


def test_ties_are_ordered_by_account(db):
    make_tariff(db, code="RES")
    same = [make_metered_account(db, tariff_code="RES", serial=f"SN-AKT-{n}",
                                 opened_on="2026-01-01") for n in range(3)]
    for a in same:
        db.call("record_reading", a.serial, "2026-01-31", 100, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    db.call("refresh_aging_snapshot")
    kept = db.rows(f"SELECT account_id, total_open FROM v_staff_aging_kept {ORDER}")
    assert len({r["total_open"] for r in kept}) == 1
    assert [r["account_id"] for r in kept] == sorted(a.account_id for a in same)


def test_the_kept_report_stays_as_taken_until_the_next_refresh(db):
    """A payment after the refresh changes v_report_aging, not the kept rows or sums; the next
    refresh has it, and an account paid up leaves the report."""
    accounts = _aging_data(db)
    db.call("refresh_aging_snapshot")
    def kept_sums():
        return db.rows("SELECT taken_at, tariff_code, overdue, accounts, not_due, d1_30, d31_60,"
                       " d61_90, d90_plus, total_open FROM v_staff_aging_kept_total"
                       " ORDER BY tariff_code, overdue")

    before, sums = db.rows(f"SELECT * FROM v_staff_aging_kept {ORDER}"), kept_sums()
    live_before = db.value("SELECT total_open FROM v_staff_aging_total")
    db.call("post_payment", accounts[0].account_id, "1.00", "cash", None, "k-ak-3", ACTOR)
    assert db.value("SELECT total_open FROM v_staff_aging_total") == live_before - 1
    assert db.rows(f"SELECT * FROM v_staff_aging_kept {ORDER}") == before
    assert kept_sums() == sums
    owed = db.value("SELECT total_open FROM v_aging WHERE account_id = %s", accounts[0].account_id)
    db.call("post_payment", accounts[0].account_id, str(owed), "cash", None, "k-ak-4", ACTOR)
    db.call("refresh_aging_snapshot")
    live = _check_kept_equals_live(db)
    assert accounts[0].account_id not in [r["account_id"] for r in live]
    assert len(live) == len(before) - 1
    db.set_clock(None)


def test_a_refresh_writes_only_the_rows_that_changed(db):
    """rows_changed: every row the first time; none when nothing changed; one for a payment; one
    for an account paid up (deleted); one for a tariff changed by hand (the kept tariff follows);
    one for a new account billed; and, a day later, those whose money crossed into the next
    bucket. After each refresh the kept report is the live one."""
    accounts = _aging_data(db)
    first = db.call("refresh_aging_snapshot")
    assert first["rows_changed"] == first["accounts"] == 3
    assert db.call("refresh_aging_snapshot")["rows_changed"] == 0
    db.call("post_payment", accounts[0].account_id, "1.00", "cash", None, "k-ak-5", ACTOR)
    assert db.call("refresh_aging_snapshot")["rows_changed"] == 1
    _check_kept_equals_live(db)
    owed = db.value("SELECT total_open FROM v_aging WHERE account_id = %s", accounts[3].account_id)
    db.call("post_payment", accounts[3].account_id, str(owed), "cash", None, "k-ak-6", ACTOR)
    assert db.call("refresh_aging_snapshot")["rows_changed"] == 1
    assert _check_kept_equals_live(db) and db.value(
        "SELECT COUNT(*) FROM v_staff_aging_kept WHERE account_id = %s", accounts[3].account_id) == 0
    db.execute("UPDATE account SET tariff_id = (SELECT tariff_id FROM tariff WHERE code = 'RES') "
               "WHERE account_id = %s", accounts[2].account_id)
    assert db.call("refresh_aging_snapshot")["rows_changed"] == 1
    assert db.value("SELECT tariff_code FROM v_staff_aging_kept WHERE account_id = %s",
                    accounts[2].account_id) == "RES"
    _check_kept_equals_live(db)
    new = make_metered_account(db, tariff_code="BIZ", serial="SN-AK-NEW", opened_on="2025-10-01")
    db.call("record_reading", new.serial, "2025-10-31", 500, "field", ACTOR)
    db.call("bill_account", new.account_id, "2025-10-01", "2025-10-31", "2025-11-18", 14, ACTOR)
    assert db.call("refresh_aging_snapshot")["rows_changed"] == 1
    _check_kept_equals_live(db)
    # 2025-11-20 -> 2025-12-01: the bills issued 2025-11-16 and -18 (due 11-30, 12-02)
    # and those due 10-15, 10-30 cross a bucket's edge; every row that differs is written
    before = {r["account_id"]: r for r in db.rows("SELECT * FROM v_staff_aging_kept")}
    db.set_clock("2025-12-01")
    changed = db.call("refresh_aging_snapshot")["rows_changed"]
    after = {r["account_id"]: r for r in db.rows("SELECT * FROM v_staff_aging_kept")}
    assert changed == sum(before[a] != after[a] for a in after) >= 1
    _check_kept_equals_live(db)
    db.set_clock(None)


def test_an_empty_report_is_kept_with_its_time(db):
    """No money open: no kept row, and the totals view's one row says when, with nothing."""
    taken = db.call("refresh_aging_snapshot")
    assert (taken["accounts"], str(taken["total_open"])) == (0, "0.00")
    assert db.value("SELECT COUNT(*) FROM v_staff_aging_kept") == 0
    row = db.row("SELECT * FROM v_staff_aging_kept_total")
    assert row["taken_at"] == taken["taken_at"]
    assert (row["tariff_code"], row["overdue"], row["accounts"], str(row["total_open"])) == (
        None, None, 0, "0.00")


def test_a_refresh_neither_waits_for_a_posting_nor_counts_it_and_leaves_the_session_as_it_was(
        db, connect):
    """The refresh reads under READ COMMITTED and takes no lock on an account or a bill: a
    posting that holds the account and its open bills (post_payment's locks) and has not
    committed does not hold it up (a lock wait of 1 s would fail it), and its money is not
    counted. The session's sort buffer and temporary-table sizes, raised for the call, are put
    back, and its work table is gone."""
    accounts = _aging_data(db)
    before = db.value("SELECT total_open FROM v_staff_aging_total")
    holder, refresher = connect(), connect()
    holder.execute("START TRANSACTION")
    for acc in accounts:
        holder.rows("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE",
                    acc.account_id)
        holder.execute("UPDATE bill SET amount_paid = amount_paid + 1 "
                       "WHERE account_id = %s AND open_account_id IS NOT NULL", acc.account_id)
    refresher.execute("SET SESSION innodb_lock_wait_timeout = 1, SESSION sort_buffer_size = 262144,"
                      " SESSION tmp_table_size = 1048576, SESSION max_heap_table_size = 1048576")
    refresher.set_clock("2025-11-20")
    refresher.call("refresh_aging_snapshot")
    assert refresher.value("SELECT SUM(total_open) FROM v_staff_aging_kept_total") == before
    holder.execute("ROLLBACK")
    assert refresher.row("SELECT @@SESSION.sort_buffer_size AS s, @@SESSION.tmp_table_size AS t,"
                         " @@SESSION.max_heap_table_size AS h") == {
        "s": 262144, "t": 1048576, "h": 1048576}
    with pytest.raises(DbError) as e:
        refresher.value("SELECT COUNT(*) FROM ag_open")
    assert e.value.errno == 1146
    db.set_clock(None)
