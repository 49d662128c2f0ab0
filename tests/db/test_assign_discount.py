"""assign_discount: lookups, date range, overlapping assignments."""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, give_discount, make_account, make_discount


def test_assigns_a_discount(db):
    acc = make_account(db)
    did = make_discount(db, code="SENIOR")
    r = db.call("assign_discount", acc, " senior ", "2026-01-01", "2026-12-31", "staff:alice")
    row = db.row("SELECT * FROM account_discount WHERE account_discount_id = %s",
                 r["account_discount_id"])
    assert (row["account_id"], row["discount_id"], str(row["valid_from"]), str(row["valid_to"])) \
        == (acc, did, "2026-01-01", "2026-12-31")
    r2 = db.call("assign_discount", acc, "SENIOR", "2027-01-01", None, ACTOR)   # adjoining: fine
    assert db.value("SELECT valid_to FROM account_discount WHERE account_discount_id = %s",
                    r2["account_discount_id"]) is None


def test_one_day_range_and_other_discounts_and_accounts_may_overlap(db):
    acc, other = make_account(db), make_account(db)
    make_discount(db, code="A")
    make_discount(db, code="B")
    db.call("assign_discount", acc, "A", "2026-01-01", None, ACTOR)
    db.call("assign_discount", acc, "B", "2026-01-01", None, ACTOR)
    db.call("assign_discount", other, "A", "2026-01-01", None, ACTOR)
    db.call("assign_discount", make_account(db), "A", "2026-03-03", "2026-03-03", ACTOR)
    assert db.value("SELECT COUNT(*) FROM account_discount") == 4


@pytest.mark.parametrize("existing, new", [
    (("2026-01-01", None), ("2026-06-01", None)),
    (("2026-01-01", None), ("2025-01-01", "2026-01-01")),
    (("2026-01-01", "2026-03-31"), ("2026-03-31", None)),
    (("2026-01-01", "2026-03-31"), ("2025-01-01", None)),
    (("2026-01-01", "2026-03-31"), ("2026-02-01", "2026-02-02")),
    (("2026-01-01", "2026-03-31"), ("2026-01-01", "2026-03-31")),
])
def test_overlapping_assignment_of_the_same_discount_is_45003(db, existing, new):
    acc = make_account(db)
    make_discount(db, code="SENIOR")
    db.call("assign_discount", acc, "SENIOR", existing[0], existing[1], ACTOR)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("assign_discount", acc, "SENIOR", new[0], new[1], ACTOR)
    assert e.value.errno == 45003
    assert db.snapshot() == before


@pytest.mark.parametrize("which", ["account", "discount"])
def test_unknown_account_or_discount_is_45001(db, which):
    acc = make_account(db)
    make_discount(db, code="SENIOR")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("assign_discount", 999 if which == "account" else acc,
                "NOPE" if which == "discount" else "SENIOR", "2026-01-01", None, ACTOR)
    assert e.value.errno == 45001
    assert db.snapshot() == before


@pytest.mark.parametrize("args", [
    dict(valid_from=None), dict(valid_to="2025-12-31"), dict(actor=None), dict(actor=" "),
    dict(code=None), dict(account=None),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, args):
    acc = make_account(db)
    make_discount(db, code="SENIOR")
    a = dict(account=acc, code="SENIOR", valid_from="2026-01-01", valid_to=None, actor=ACTOR)
    a.update(args)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("assign_discount", a["account"], a["code"], a["valid_from"], a["valid_to"],
                a["actor"])
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_a_closed_account_takes_discounts_for_its_days_of_service_only(db):
    acc = make_account(db, opened_on="2026-01-01")
    make_discount(db, code="SENIOR")
    db.call("close_account", acc, "2026-03-31", ACTOR)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("assign_discount", acc, "SENIOR", "2026-04-01", None, ACTOR)
    assert e.value.errno == 45002 and "closed" in e.value.message
    assert db.snapshot() == before
    # its last day or before: a correction of the days it was served (a re-bill reads it)
    db.call("assign_discount", acc, "SENIOR", "2026-03-31", None, ACTOR)


def test_factory_gives_a_new_discount(db):
    acc = make_account(db)
    ids = {give_discount(db, acc, pct="5"), give_discount(db, acc, pct="7.5")}
    assert len(ids) == 2
