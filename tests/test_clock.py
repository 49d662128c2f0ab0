"""The tests' session clock (tests/helpers/db.py): set_clock, at(), and billing calls that run on
their issue date and come back to the clock before."""
import datetime as dt

from helpers.factories import make_metered_account


def today(db):
    return db.value("SELECT CURRENT_DATE")


def test_set_clock_at_and_back(db):
    real = today(db)
    db.set_clock("2027-01-01")
    assert db.value("SELECT NOW()") == dt.datetime(2027, 1, 1, 12, 0)
    with db.at("2026-02-01 08:30:00"):
        assert db.value("SELECT NOW()") == dt.datetime(2026, 2, 1, 8, 30)
    assert today(db) == dt.date(2027, 1, 1)
    db.set_clock(None)
    assert today(db) == real


def test_a_billing_call_runs_on_its_issue_date_then_the_clock_is_back(db):
    acc = make_metered_account(db, opened_on="2026-01-01")
    db.set_clock("2026-12-31")
    r = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                "staff:test")
    assert db.value("SELECT DATE(created_at) FROM bill WHERE bill_id = %s",
                    r["bill_id"]) == dt.date(2026, 2, 1)
    assert today(db) == dt.date(2026, 12, 31)
