"""Refunds are used money like allocations (billing-rules.md, Refunds): refund and refund_part rows
never change and are never deleted (45060 IMMUTABLE, triggers refund_no_update, refund_no_delete,
refund_part_no_update, refund_part_no_delete), for every database user: tested as the schema
owner (root on the test server), who has every privilege. refund_credit, which inserts them and
then updates the payments a refund took money from (a multi-table UPDATE naming refund_part),
still works.
"""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account

IMMUTABLE = 45060


@pytest.fixture
def refunded(db):
    """An account with two payments of credit and a refund of 15.00 taken from both."""
    db.set_clock("2026-03-01 12:00:00")
    acc = make_metered_account(db).account_id
    db.call("post_payment", acc, "10.00", "cash", None, "rf-p1", ACTOR)
    db.call("post_payment", acc, "20.00", "cash", None, "rf-p2", ACTOR)
    r = db.call("refund_credit", acc, "15.00", "cheque", "rf-1", ACTOR)
    assert r["replayed"] == 0
    return db, acc, r["refund_id"]


def contents(db):
    return {t: db.rows(f"SELECT * FROM {t} ORDER BY 1, 2")
            for t in ("refund", "refund_part", "payment", "ledger_entry")}


def refused(db, sql):
    before = contents(db)
    with pytest.raises(DbError) as e:
        db.execute(sql)
    assert e.value.errno == IMMUTABLE, e.value
    assert contents(db) == before
    return e.value.message


def test_tests_run_as_the_schema_owner(db):
    assert db.value("SELECT CURRENT_USER()").startswith("root@")


@pytest.mark.parametrize("sql", [
    "UPDATE refund SET amount = amount + 1",
    "UPDATE refund SET method = 'card'",
    "UPDATE refund SET idempotency_key = 'RF-1'",
    "UPDATE refund SET actor = actor",                  # even a no-op update
    "DELETE FROM refund",                               # was a raw 1451 (a foreign key)
])
def test_a_refund_never_changes(refunded, sql):
    db, _, _ = refunded
    assert "refund" in refused(db, sql)


@pytest.mark.parametrize("sql", [
    "UPDATE refund_part SET amount = amount + 1",
    "UPDATE refund_part SET payment_id = payment_id",
    "DELETE FROM refund_part",
    "DELETE FROM refund_part WHERE amount = 5.00",
])
def test_a_refunded_part_never_changes(refunded, sql):
    db, _, _ = refunded
    assert db.value("SELECT COUNT(*) FROM refund_part") == 2
    assert "refund_part is append-only" in refused(db, sql)


def test_refunds_still_work_and_append(refunded):
    db, acc, first = refunded
    assert db.call("refund_credit", acc, "15.00", "cheque", "rf-1", ACTOR)["replayed"] == 1
    r = db.call("refund_credit", acc, "10.00", "bank_transfer", "rf-2", ACTOR)
    assert r["replayed"] == 0 and r["refund_id"] > first
    assert db.rows("SELECT payment_id, amount_refunded FROM payment ORDER BY payment_id") == [
        {"payment_id": 1, "amount_refunded": 10}, {"payment_id": 2, "amount_refunded": 15}]
    assert db.value("SELECT COUNT(*) FROM refund_part") == 3
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
    # the refund's money stays used: the payment cannot be reversed (CONFLICT), as before
    with pytest.raises(DbError) as e:
        db.call("reverse_payment", 1, "bounced", ACTOR)
    assert e.value.errno == 45003
