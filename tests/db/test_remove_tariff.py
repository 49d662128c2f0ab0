"""remove_tariff: a tariff nothing refers to is removed (audited); one with versions, accounts,
simulations or a dunning override is refused (45003) and kept; a version added while it is
being removed: one of the two wins, nothing is orphaned."""
import json
import threading

import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_account, make_tariff, make_tariff_version
from helpers.races import wait_for_lock_waits


def test_removes_a_tariff_without_versions_and_audits_it(db):
    t = make_tariff(db, code="TYPO", name="Mistake", versions=[])
    keep = make_tariff(db, code="KEEP", versions=[])
    r = db.call("remove_tariff", " TYPO ", "staff:alice")
    assert (r["tariff_id"], r["code"]) == (t.tariff_id, "TYPO")
    assert [x["code"] for x in db.rows("SELECT code FROM tariff")] == ["KEEP"]
    assert keep.tariff_id == db.value("SELECT tariff_id FROM tariff")
    event = db.row("SELECT * FROM audit_log WHERE action = 'tariff_removed'")
    assert (event["table_name"], event["row_key"], event["actor"]) == (
        "tariff", str(t.tariff_id), "staff:alice")
    assert json.loads(event["new_values"]) == {"code": "TYPO", "name": "Mistake"}
    # the row trigger keeps the deleted row too
    assert db.value("SELECT COUNT(*) FROM audit_log WHERE table_name = 'tariff' AND "
                    "action = 'delete' AND row_key = %s", str(t.tariff_id)) == 1
    # the code may be used again
    make_tariff(db, code="TYPO", versions=[])


def test_refused_with_versions(db):
    make_tariff(db, code="RES")                     # one version
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("remove_tariff", "RES", ACTOR)
    assert e.value.errno == 45003 and "version" in e.value.message
    assert db.snapshot() == before


def test_refused_with_accounts_open_or_closed(db):
    make_tariff(db, code="RES", versions=[])
    acc = make_account(db, tariff_code="RES")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("remove_tariff", "RES", ACTOR)
    assert e.value.errno == 45003 and "account" in e.value.message
    assert db.snapshot() == before
    db.execute("UPDATE account SET closed_on = opened_on WHERE account_id = %s", acc)
    with pytest.raises(DbError) as e:
        db.call("remove_tariff", "RES", ACTOR)
    assert e.value.errno == 45003


def test_refused_with_a_simulation_or_a_dunning_override(db):
    make_tariff(db, code="SIM", versions=[])
    db.call("simulate_tariff", "SIM", "1.00", "0", '[{"up_to_kwh": null, "rate": 0.1}]',
            "2026-01-01", "2026-01-31", ACTOR)
    make_tariff(db, code="DUN", versions=[])
    db.execute("INSERT INTO dunning_setting (tariff_id, due_soon_days, overdue_1_days, "
               "overdue_2_days, final_notice_days) SELECT tariff_id, 3, 1, 14, 28 FROM tariff "
               "WHERE code = 'DUN'")
    before = db.snapshot()
    for code, word in (("SIM", "simulation"), ("DUN", "dunning")):
        with pytest.raises(DbError) as e:
            db.call("remove_tariff", code, ACTOR)
        assert e.value.errno == 45003 and word in e.value.message
    assert db.snapshot() == before


@pytest.mark.parametrize("code, actor, errno", [
    ("NOPE", ACTOR, 45001),
    ("", ACTOR, 45002),
    (None, ACTOR, 45002),
    ("RES", None, 45002),
    ("RES", " ", 45002),
    ("X" * 101, ACTOR, 45002),
])
def test_bad_arguments(db, code, actor, errno):
    make_tariff(db, code="RES", versions=[])
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("remove_tariff", code, actor)
    assert e.value.errno == errno
    assert db.snapshot() == before


def _orphans(db):
    return db.value("SELECT COUNT(*) FROM tariff_version v LEFT JOIN tariff t USING (tariff_id) "
                    "WHERE t.tariff_id IS NULL")


def _second_waits_for_first(db, connect, holding, call):
    """Runs the statements `holding` in an open transaction on one connection (what a procedure
    has done before its commit), starts `call(conn)` on a second connection, checks that it
    queues on the first's row lock, commits the first, and returns what the call returned (or
    its error number)."""
    a, b = connect(), connect()
    for c in (a, b):
        c.execute("SET SESSION innodb_lock_wait_timeout = 10")
    a.execute("START TRANSACTION")
    for sql in holding:
        a.execute(sql)
    b_id = b.value("SELECT CONNECTION_ID()")
    result = {}

    def second():
        try:
            result["b"] = call(b)
        except DbError as e:
            result["b"] = e.errno

    th = threading.Thread(target=second)
    th.start()
    wait_for_lock_waits(db, [b_id], 1)   # b waits for the tariff row
    a.execute("COMMIT")
    th.join(15)
    assert not th.is_alive()
    return result["b"]


def test_a_version_added_while_removing_waits_and_finds_no_tariff(db, connect):
    """remove_tariff holds the tariff row: add_tariff_version waits for it, then finds no tariff
    (45001). The remover wins, nothing is orphaned."""
    make_tariff(db, code="RACE", versions=[])
    # the first is inside remove_tariff's transaction: the row locked and deleted, not committed
    added = _second_waits_for_first(db, connect, [
        "SELECT tariff_id FROM tariff WHERE code = 'RACE' FOR UPDATE",
        "DELETE FROM tariff WHERE code = 'RACE'"],
        lambda b: make_tariff_version(b, "RACE", effective_from="2026-01-01"))
    assert added == 45001
    assert db.value("SELECT COUNT(*) FROM tariff WHERE code = 'RACE'") == 0
    assert _orphans(db) == 0 and db.value("SELECT COUNT(*) FROM tariff_version") == 0


def test_a_removal_while_a_version_is_added_waits_and_is_refused(db, connect):
    """add_tariff_version holds the tariff row: remove_tariff waits for it, then sees the new
    version and refuses (45003). The version wins, the tariff stays."""
    make_tariff(db, code="RACE", versions=[])
    # the first is inside add_tariff_version's transaction: the tariff locked, the version in
    removed = _second_waits_for_first(db, connect, [
        "SELECT tariff_id FROM tariff WHERE code = 'RACE' FOR UPDATE",
        "INSERT INTO tariff_version (tariff_id, effective_from, fixed_charge, tax_rate_pct,"
        " late_fee_pct, early_pay_pct, early_pay_days) SELECT tariff_id, '2026-01-01', 0, 0,"
        " 0, 0, 0 FROM tariff WHERE code = 'RACE'"],
        lambda b: b.call("remove_tariff", "RACE", ACTOR))
    assert removed == 45003
    assert db.value("SELECT COUNT(*) FROM tariff WHERE code = 'RACE'") == 1
    assert db.value("SELECT COUNT(*) FROM tariff_version") == 1 and _orphans(db) == 0


def test_racing_calls_one_wins_nothing_orphaned(db, connect):
    """The real procedures, started together many times: either the version exists and the
    tariff stays, or both are gone; never a version without its tariff."""
    for i in range(8):
        code = f"R{i}"
        t = make_tariff(db, code=code, versions=[])
        a, b = connect(), connect()
        out = {}

        def remove():
            try:
                out["remove"] = a.call("remove_tariff", code, ACTOR)["tariff_id"]
            except DbError as e:
                out["remove"] = e.errno

        def add():
            try:
                out["add"] = make_tariff_version(b, code, effective_from="2026-01-01")
            except DbError as e:
                out["add"] = e.errno

        threads = [threading.Thread(target=remove), threading.Thread(target=add)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(20)
        removed = out["remove"] == t.tariff_id
        assert removed or out["remove"] == 45003, out
        assert out["add"] == 45001 if removed else out["add"] > 0 and out["add"] != 45001, out
        assert db.value("SELECT COUNT(*) FROM tariff WHERE code = %s", code) == (
            0 if removed else 1)
    assert _orphans(db) == 0
