"""open_account: customer and tariff lookups, required fields, numbering."""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_account, make_customer, make_tariff


def test_opens_an_account_with_the_next_number(db):
    cid = make_customer(db)
    t = make_tariff(db, code="RES")
    r = db.call("open_account", cid, " res ", "  1 Main St ", "2026-01-15", "staff:alice")
    row = db.row("SELECT * FROM account WHERE account_id = %s", r["account_id"])
    assert r["account_no"] == "A0000001" == row["account_no"]
    assert (row["customer_id"], row["tariff_id"], row["service_address"], str(row["opened_on"]),
            row["closed_on"]) == (cid, t.tariff_id, "1 Main St", "2026-01-15", None)
    assert db.value("SELECT actor FROM audit_log WHERE table_name = 'account' AND row_key = %s",
                    str(r["account_id"])) == "staff:alice"
    r2 = db.call("open_account", cid, "RES", "2 Main St", "2026-01-15", ACTOR)
    assert r2["account_no"] == "A0000002"


def test_a_tariff_without_versions_is_fine(db):
    make_tariff(db, code="EMPTY", versions=[])
    assert make_account(db, "EMPTY")


def test_numbers_stay_gapless_after_a_failed_call(db):
    make_account(db)
    cid = make_customer(db)
    with pytest.raises(DbError):
        db.call("open_account", cid, "NOPE", "1 Main St", "2026-01-01", ACTOR)
    assert make_account(db, customer_id=cid) == \
        db.value("SELECT account_id FROM account WHERE account_no = 'A0000002'")


@pytest.mark.parametrize("customer, code", [(999, "RES"), ("own", "NOPE")])
def test_unknown_customer_or_tariff_is_45001(db, customer, code):
    cid = make_customer(db)
    make_tariff(db, code="RES")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("open_account", cid if customer == "own" else customer, code, "1 Main St",
                "2026-01-01", ACTOR)
    assert e.value.errno == 45001
    assert db.snapshot() == before


@pytest.mark.parametrize("args", [
    dict(address=None), dict(address=""), dict(address="   "), dict(address="x" * 501),
    dict(opened_on=None), dict(actor=None), dict(actor=""), dict(code=None), dict(code=""),
    dict(customer=None),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, args):
    cid = make_customer(db)
    make_tariff(db, code="RES")
    a = dict(customer=cid, code="RES", address="1 Main St", opened_on="2026-01-01", actor=ACTOR)
    a.update(args)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("open_account", a["customer"], a["code"], a["address"], a["opened_on"], a["actor"])
    assert e.value.errno == 45002
    assert db.snapshot() == before
