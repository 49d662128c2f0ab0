"""reject_reading: the meter's latest reading, in review or an accepted actual misread that no
bill (not cancelled) ends on, stops being a point."""
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
        db.call("reject_reading", *args)
    assert e.value.errno == errno, e.value
    assert db.snapshot() == before
    assert db.rows("SELECT * FROM meter_reading ORDER BY reading_id") == readings
    return e.value.message


def test_reject_the_latest_reading_in_review(db, meter):
    r = db.call("reject_reading", meter.review_id, "  dial misread  ", "staff:boss")
    assert r == {"reading_id": meter.review_id, "status": "rejected"}
    row = db.row("SELECT * FROM meter_reading WHERE reading_id = %s", meter.review_id)
    assert row["status"] == "rejected" and row["reject_reason"] == "dial misread"
    assert row["reviewed_by"] == "staff:boss" and str(row["reviewed_at"]) == NOW
    assert row["point_on"] is None                       # no longer a point
    assert row["value"] == 1100 and row["consumption_kwh"] == 1000   # the row is kept as it was


def test_the_date_is_free_again_and_the_previous_point_is_the_latest(db, meter):
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    # the same date again, stepping from the 01-31 reading (100), not from the rejected 1100
    r = db.call("record_reading", meter.serial, "2026-03-02", 180, "field", ACTOR)
    assert (r["status"], r["consumption_kwh"]) == ("accepted", Decimal("80.0000"))


def test_a_date_before_the_rejected_one_is_allowed_again(db, meter):
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    r = db.call("record_reading", meter.serial, "2026-02-15", 150, "field", ACTOR)
    assert r["consumption_kwh"] == 50


def test_only_the_latest_reading_can_be_rejected(db, meter):
    db.call("record_reading", meter.serial, "2026-04-01", 1200, "field", ACTOR)
    assert "latest" in fails(db, 45003, meter.review_id, "misread", ACTOR)


def test_the_latest_of_two_review_readings_first(db, meter):
    second = db.call("record_reading", meter.serial, "2026-04-01", 9100, "field", ACTOR)
    assert second["status"] == "review"
    fails(db, 45003, meter.review_id, "misread", ACTOR)
    db.call("reject_reading", second["reading_id"], "misread", ACTOR)
    # now the first one is the latest point
    assert db.call("reject_reading", meter.review_id, "misread", ACTOR)["status"] == "rejected"
    r = db.call("record_reading", meter.serial, "2026-03-02", 200, "field", ACTOR)
    assert r["consumption_kwh"] == 100


def test_an_earlier_accepted_reading_is_a_conflict(db, meter):
    assert "not the latest" in fails(db, 45003, meter.accepted_id, "misread", ACTOR)


def test_the_initial_read_is_a_conflict(db, meter):
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    db.call("reject_reading", meter.accepted_id, "misread", ACTOR)   # now the initial is latest
    assert "only a reading in review or an accepted actual" in fails(db, 45003, meter.initial_id,
                                                                       "misread", ACTOR)


def test_the_latest_accepted_actual_reading_no_bill_ends_on_can_be_rejected(db, meter):
    """billing-rules.md, "Corrections": a misread that no bill (not cancelled) ends on."""
    db.call("approve_reading", meter.review_id, ACTOR)
    assert db.call("reject_reading", meter.review_id, "misread: 1100 is 110", ACTOR) == {
        "reading_id": meter.review_id, "status": "rejected"}
    r = db.call("record_reading", meter.serial, "2026-03-02", 110, "field", ACTOR)
    assert r["consumption_kwh"] == 10


def test_the_end_reading_of_a_bill_is_rejected_only_after_the_bill_is_cancelled(db, meter):
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", NOW[:10], 14, "batch:test")
    bill = db.value("SELECT bill_id FROM bill WHERE end_reading_id = %s", meter.accepted_id)
    assert "cancel the bill first" in fails(db, 45003, meter.accepted_id, "misread", ACTOR)
    db.call("cancel_bill", bill, "misread", ACTOR)
    assert db.call("reject_reading", meter.accepted_id, "misread", ACTOR)["status"] == "rejected"
    # the right value, and the rebill bills it
    db.call("record_reading", meter.serial, "2026-01-31", 90, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", NOW[:10], 14, "batch:test")
    assert db.value("SELECT consumption_kwh FROM bill WHERE cancelled_at IS NULL") == 90
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_rejecting_twice_is_a_conflict(db, meter):
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    fails(db, 45003, meter.review_id, "misread again", ACTOR)


def test_unknown_reading(db, meter):
    fails(db, 45001, 999999, "misread", ACTOR)


@pytest.mark.parametrize("reading_id, reason, actor", [
    (None, "misread", ACTOR),
    ("REVIEW", None, ACTOR), ("REVIEW", "", ACTOR), ("REVIEW", "   ", ACTOR),
    ("REVIEW", "x" * 501, ACTOR),
    ("REVIEW", "misread", None), ("REVIEW", "misread", ""), ("REVIEW", "misread", "staff:" + "x" * 95),
])
def test_missing_or_bad_arguments(db, meter, reading_id, reason, actor):
    fails(db, 45002, meter.review_id if reading_id == "REVIEW" else reading_id, reason, actor)


def test_a_reason_of_500_characters_is_kept(db, meter):
    db.call("reject_reading", meter.review_id, "x" * 500, ACTOR)
    assert db.value("SELECT CHAR_LENGTH(reject_reason) FROM meter_reading WHERE reading_id = %s",
                    meter.review_id) == 500


def test_empty_reason_comes_before_unknown_reading(db, meter):
    fails(db, 45002, 999999, "", ACTOR)


def test_a_closing_read_is_an_ordinary_reading(db, meter):
    """billing-rules.md, "Corrections": only the initial read and an exchange's final read are
    exempt; a closing read (recorded before close_account, dated closed_on) that was accepted can
    be rejected as a misread, even after its final bill is cancelled, and the right value
    recorded on the closing day again."""
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    closing = db.call("record_reading", meter.serial, "2026-02-20", 170, "field", ACTOR)
    assert closing["status"] == "accepted"
    db.call("close_account", meter.account_id, "2026-02-20", ACTOR)
    db.call("bill_account", meter.account_id, "2026-01-01", "2026-01-31", NOW[:10], 14, "batch:test")
    final = db.call("bill_account", meter.account_id, "2026-02-01", "2026-02-28", NOW[:10], 14,
                    "batch:test")["bill_id"]
    assert final is not None
    assert "cancel the bill first" in fails(db, 45003, closing["reading_id"], "misread", ACTOR)
    db.call("cancel_bill", final, "misread closing read", ACTOR)
    assert db.call("reject_reading", closing["reading_id"], "misread: 170 is 107", ACTOR)["status"] == "rejected"
    assert db.call("record_reading", meter.serial, "2026-02-20", 107, "field", ACTOR)["consumption_kwh"] == 7
    db.call("bill_account", meter.account_id, "2026-02-01", "2026-02-28", NOW[:10], 14, "batch:test")
    rebill = db.row("SELECT consumption_kwh, period_end, estimated FROM bill WHERE cancelled_at IS NULL"
                    " AND period_start = '2026-02-01'")
    assert (rebill["consumption_kwh"], str(rebill["period_end"]), rebill["estimated"]) == (7, "2026-02-20", 0)


def test_an_exchange_final_read_is_never_rejected(db, meter):
    db.call("reject_reading", meter.review_id, "misread", ACTOR)
    db.call("exchange_meter", meter.account_id, "2026-02-20", 170, "NEW-X", 5, 1, 0, ACTOR)
    final = db.value("SELECT reading_id FROM meter_reading WHERE meter_id = %s AND read_on = '2026-02-20'",
                     meter.meter_id)
    assert "final read of a meter exchange" in fails(db, 45003, final, "misread", ACTOR)
