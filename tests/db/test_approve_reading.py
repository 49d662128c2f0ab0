"""approve_reading: a reading in review becomes accepted; nothing else can be approved."""
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import make_metered_account

ACTOR = "staff:test"
NOW = "2026-12-31 12:00:00"


@pytest.fixture
def meter(db):
    """A meter installed 2026-01-01 at 0 with one accepted reading (100 on 01-31) and one in
    review (1100 on 03-02: 1000 kWh in 30 days after 100 in 30 days)."""
    db.set_clock(NOW)
    m = make_metered_account(db, opened_on="2026-01-01", initial_read=0, dial_digits=6)
    m.accepted_id = db.call("record_reading", m.serial, "2026-01-31", 100, "field", ACTOR)["reading_id"]
    r = db.call("record_reading", m.serial, "2026-03-02", 1100, "field", ACTOR)
    assert r["status"] == "review"
    m.review_id = r["reading_id"]
    m.initial_id = db.value("SELECT reading_id FROM meter_reading WHERE meter_id = %s AND kind = 'initial'",
                            m.meter_id)
    return m


def fails(db, errno, *args):
    before = db.snapshot()
    readings = db.rows("SELECT * FROM meter_reading ORDER BY reading_id")
    with pytest.raises(DbError) as e:
        db.call("approve_reading", *args)
    assert e.value.errno == errno, e.value
    assert db.snapshot() == before
    assert db.rows("SELECT * FROM meter_reading ORDER BY reading_id") == readings
    return e.value.message


def test_approve_a_reading_in_review(db, meter):
    r = db.call("approve_reading", meter.review_id, "staff:boss")
    assert r == {"reading_id": meter.review_id, "status": "accepted"}
    row = db.row("SELECT * FROM meter_reading WHERE reading_id = %s", meter.review_id)
    assert row["status"] == "accepted" and row["reviewed_by"] == "staff:boss"
    assert str(row["reviewed_at"]) == NOW
    # value, consumption and the recording are left as they were
    assert row["value"] == 1100 and row["consumption_kwh"] == Decimal("1000.0000")
    assert row["recorded_by"] == ACTOR and row["reject_reason"] is None


def test_a_review_reading_that_is_not_the_latest_can_be_approved(db, meter):
    later = db.call("record_reading", meter.serial, "2026-04-01", 1200, "field", ACTOR)
    assert db.call("approve_reading", meter.review_id, ACTOR)["status"] == "accepted"
    assert db.value("SELECT status FROM meter_reading WHERE reading_id = %s", later["reading_id"]) == "accepted"


def test_unknown_reading(db, meter):
    fails(db, 45001, 999999, ACTOR)


@pytest.mark.parametrize("which", ["accepted_id", "initial_id"])
def test_a_reading_not_in_review_is_a_conflict(db, meter, which):
    assert "not in review" in fails(db, 45003, getattr(meter, which), ACTOR)


def test_approving_twice_is_a_conflict(db, meter):
    db.call("approve_reading", meter.review_id, ACTOR)
    fails(db, 45003, meter.review_id, ACTOR)


def test_a_rejected_reading_cannot_be_approved(db, meter):
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    fails(db, 45003, meter.review_id, ACTOR)


@pytest.mark.parametrize("reading_id, actor", [(None, ACTOR), ("REVIEW", None), ("REVIEW", ""),
                                               ("REVIEW", "   "), ("REVIEW", "staff:" + "x" * 95)])
def test_missing_arguments(db, meter, reading_id, actor):
    fails(db, 45002, meter.review_id if reading_id == "REVIEW" else reading_id, actor)


def test_missing_actor_comes_before_unknown_reading(db, meter):
    fails(db, 45002, 999999, None)
