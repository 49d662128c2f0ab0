"""create_discount: code, name and percentage rules, duplicates."""
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_discount


@pytest.mark.parametrize("pct, stored", [("10", "10.00"), ("0", "0.00"), ("100", "100.00"),
                                         ("12.34", "12.34")])
def test_creates_a_discount(db, pct, stored):
    r = db.call("create_discount", " SENIOR ", " Senior citizen ", pct, "staff:alice")
    row = db.row("SELECT * FROM discount WHERE discount_id = %s", r["discount_id"])
    assert (row["code"], row["name"], row["pct"]) == ("SENIOR", "Senior citizen", Decimal(stored))


@pytest.mark.parametrize("code, name, pct, actor", [
    (None, "Senior", "10", ACTOR),
    ("", "Senior", "10", ACTOR),
    ("X" * 21, "Senior", "10", ACTOR),
    ("senior", "Senior", "10", ACTOR),         # codes: 1-20 of A-Z, 0-9, _ and - (issue 16, #7)
    ("A/B", "Senior", "10", ACTOR),
    ("..", "Senior", "10", ACTOR),
    ("SÉNIOR", "Senior", "10", ACTOR),
    ("SENIOR", None, "10", ACTOR),
    ("SENIOR", " ", "10", ACTOR),
    ("SENIOR", "n" * 101, "10", ACTOR),
    ("SENIOR", "Senior", None, ACTOR),
    ("SENIOR", "Senior", "-0.01", ACTOR),
    ("SENIOR", "Senior", "100.01", ACTOR),
    ("SENIOR", "Senior", "10.005", ACTOR),
    ("SENIOR", "Senior", "10", None),
    ("SENIOR", "Senior", "10", ""),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, code, name, pct, actor):
    make_discount(db, code="OTHER")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("create_discount", code, name, pct, actor)
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_duplicate_code_is_45003_and_writes_nothing(db):
    make_discount(db, code="SENIOR")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("create_discount", " SENIOR", "Again", "5", ACTOR)
    assert e.value.errno == 45003
    assert db.snapshot() == before
