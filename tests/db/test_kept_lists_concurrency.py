"""The kept aging report and dunning list (refresh_aging_snapshot, refresh_dunning_snapshot;
migrations 0140 and 0141) refreshed in a loop by two sessions at once, beside four sessions
posting payments with a lock wait of 2 s: no error reaches a posting or a refresh, the two
refreshers take turns, and once the postings are over one more refresh of each gives the live
views exactly (every account, every figure, every filter's sums) and writes only what the last
postings changed."""
import threading

from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account, make_tariff

AGING = ("account_id, tariff_code, not_due, d1_30, d31_60, d61_90, d90_plus, total_open, overdue")
DUNNING = "account_id, level_no, amount_overdue, oldest_due_date"


def _overdue_accounts(db, n):
    make_tariff(db, code="RES")
    make_tariff(db, code="BIZ")
    accounts = [make_metered_account(db, tariff_code=("RES", "BIZ")[i % 2], serial=f"SN-KC-{i}",
                                     opened_on="2026-01-01") for i in range(n)]
    for i, a in enumerate(accounts):
        db.call("record_reading", a.serial, "2026-01-31", 300 + 17 * i, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    return [a.account_id for a in accounts]


def _same(db):
    assert db.rows(f"SELECT {AGING} FROM v_staff_aging_kept ORDER BY total_open DESC, account_id") \
        == db.rows(f"SELECT {AGING} FROM v_report_aging ORDER BY total_open DESC, account_id")
    order = "ORDER BY level_no DESC, amount_overdue DESC, account_id"
    assert db.rows(f"SELECT {DUNNING} FROM v_dunning_kept {order}") == \
        db.rows(f"SELECT {DUNNING} FROM v_dunning {order}")
    kept = db.row("SELECT SUM(accounts) AS accounts, SUM(total_open) AS total_open "
                  "FROM v_staff_aging_kept_total")
    live = db.row("SELECT accounts, total_open FROM v_staff_aging_total")
    assert (int(kept["accounts"]), kept["total_open"]) == (live["accounts"], live["total_open"])
    assert db.row("SELECT accounts, overdue FROM v_dunning_kept_total") == \
        db.row("SELECT accounts, overdue FROM v_staff_dunning_total")


def test_refreshes_beside_postings_and_each_other(db, connect):
    accounts = _overdue_accounts(db, 12)
    errors, done, refreshes = [], threading.Event(), []

    def post(k):
        c = connect()
        c.execute("SET SESSION innodb_lock_wait_timeout = 2")
        try:
            for i in range(20):
                c.call("post_payment", accounts[(k * 5 + i) % len(accounts)], f"{1 + i % 5}.{k}0",
                       "cash", None, f"kc-{k}-{i}", f"staff:clerk{k}")
        except DbError as exc:                       # pragma: no cover - reported below
            errors.append(("post", exc))

    def refresh():
        c = connect()
        c.execute("SET SESSION innodb_lock_wait_timeout = 30")
        try:
            while not done.is_set():
                refreshes.append(c.call("refresh_aging_snapshot")["rows_changed"])
                c.call("refresh_dunning_snapshot")
        except DbError as exc:                       # pragma: no cover - reported below
            errors.append(("refresh", exc))

    refreshers = [threading.Thread(target=refresh) for _ in range(2)]
    posters = [threading.Thread(target=post, args=(k,)) for k in range(4)]
    for t in refreshers + posters:
        t.start()
    for t in posters:
        t.join()
    done.set()
    for t in refreshers:
        t.join()
    assert errors == []
    assert len(refreshes) >= 2
    assert db.value("SELECT COUNT(*) FROM payment") == 80
    db.call("refresh_aging_snapshot")
    db.call("refresh_dunning_snapshot")
    _same(db)
    # nothing changed since: nothing written
    assert db.call("refresh_aging_snapshot")["rows_changed"] == 0
    assert db.call("refresh_dunning_snapshot")["rows_changed"] == 0
    # one more payment: one row of each
    db.call("post_payment", accounts[0], "0.01", "cash", None, "kc-last", ACTOR)
    assert db.call("refresh_aging_snapshot")["rows_changed"] == 1
    assert db.call("refresh_dunning_snapshot")["rows_changed"] == 1
    _same(db)
