"""preview_readings: a file of readings checked by record_reading's own body, row after row, and
rolled back: each row's outcome is what recording the file in order would give (the rows before
it included), and nothing is stored."""
import json
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import make_metered_account

ACTOR = "staff:test"


@pytest.fixture
def meters(db):
    db.set_clock("2026-12-31 12:00:00")
    a = make_metered_account(db, opened_on="2026-01-01", initial_read=1000, dial_digits=5)
    b = make_metered_account(db, opened_on="2026-01-01", initial_read=0, dial_digits=5)
    for day, value in (("2026-01-31", 1100), ("2026-02-28", 1200), ("2026-03-31", 1300)):
        db.call("record_reading", a.serial, day, value, "field", ACTOR)
    return a, b


def rows(*items):
    return json.dumps([dict(zip(("serial_no", "read_on", "value", "source"), i)) for i in items])


def test_each_row_is_what_recording_the_file_in_order_gives_and_nothing_stays(db, meters):
    a, b = meters
    file = rows((a.serial, "2026-04-30", "1400", "field"),       # accepted
                (a.serial, "2026-04-30", "1500", "field"),       # same day again: 45011
                (a.serial, "2026-05-31", "1390", "field"),       # below row 1: 45010
                (a.serial, "2026-05-31", "3000", "field"),       # 16x the daily use: review
                ("NO-SUCH", "2026-05-31", "1", "field"),         # 45001
                (b.serial, "2026-05-31", "12.345", "field"),     # three decimals: 45002
                (b.serial, "2026-05-31", "not a number", "field"),
                (b.serial, "2026-05-31", "50", "smart"))         # accepted
    before = db.snapshot()
    got = db.call_rows("preview_readings", file, ACTOR)
    assert db.snapshot() == before
    assert [(r["line_no"], r["outcome"], r["errno"]) for r in got] == [
        (1, "accepted", None), (2, "refused", 45011), (3, "refused", 45010),
        (4, "review", None), (5, "refused", 45001), (6, "refused", 45002),
        (7, "refused", 45002), (8, "accepted", None)]
    assert got[0]["consumption_kwh"] == Decimal("100.0000")
    assert got[3]["consumption_kwh"] == Decimal("1600.0000")
    # recording the same rows in order gives the same outcomes
    recorded = []
    for item in json.loads(file):
        try:
            r = db.call("record_reading", item["serial_no"], item["read_on"], item["value"],
                        item["source"], ACTOR)
            recorded.append((r["status"], None))
        except DbError as e:
            recorded.append(("refused", e.errno))
    assert recorded == [(r["outcome"], r["errno"]) for r in got]


def test_a_preview_refuses_what_is_no_array(db, meters):
    for bad in ("{}", "not json", None):
        with pytest.raises(DbError) as e:
            db.call_rows("preview_readings", bad, ACTOR)
        assert e.value.errno == 45002
