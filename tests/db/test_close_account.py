"""close_account: dates against the opening and the billed periods; closing twice."""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_account, make_metered_account, make_tariff


def insert_bill(db, account_id, period_start, period_end, bill_no, cancelled=False):
    """A bill row written directly (no billing procedure needed): only its dates matter here."""
    reading = db.value("SELECT r.reading_id FROM meter_reading r JOIN meter_installation i "
                       "ON i.meter_id = r.meter_id WHERE i.account_id = %s", account_id)
    version = db.value("SELECT MIN(v.tariff_version_id) FROM tariff_version v "
                       "JOIN account a ON a.tariff_id = v.tariff_id WHERE a.account_id = %s",
                       account_id)
    db.execute(
        "INSERT INTO bill (bill_no, account_id, tariff_version_id, period_start, period_end, "
        "days_billed, period_days, issue_date, due_date, prev_read_on, prev_read_value, "
        "end_reading_id, register_advance, consumption_kwh, total_amount, issued_total, "
        "cancelled_at) "
        "VALUES (%s, %s, %s, %s, %s, 1, 31, %s, DATE_ADD(%s, INTERVAL 20 DAY), %s, 0, %s, 0, 0, 0,"
        " 0, %s)",
        bill_no, account_id, version, period_start, period_end, period_end, period_end,
        period_start, reading, "2026-02-10 00:00:00" if cancelled else None)


def test_closes_an_account(db):
    acc = make_account(db, opened_on="2026-01-01")
    other = make_account(db, opened_on="2026-01-01")
    assert db.call("close_account", acc, "2026-06-30", "staff:alice") == {"account_id": acc}
    assert str(db.value("SELECT closed_on FROM account WHERE account_id = %s", acc)) == "2026-06-30"
    assert db.value("SELECT closed_on FROM account WHERE account_id = %s", other) is None
    assert db.value("SELECT actor FROM audit_log WHERE table_name = 'account' "
                    "AND action = 'update' AND row_key = %s", str(acc)) == "staff:alice"


def test_closing_on_the_opening_day_and_on_the_last_billed_day_is_fine(db):
    acc = make_account(db, opened_on="2026-01-01")
    db.call("close_account", acc, "2026-01-01", ACTOR)
    a = make_metered_account(db, opened_on="2026-01-01")
    insert_bill(db, a.account_id, "2026-01-01", "2026-01-31", "2026-900001")
    db.call("close_account", a.account_id, "2026-01-31", ACTOR)


def test_a_cancelled_bill_does_not_hold_the_closing_date(db):
    a = make_metered_account(db, opened_on="2026-01-01")
    insert_bill(db, a.account_id, "2026-01-01", "2026-01-31", "2026-900001", cancelled=True)
    db.call("close_account", a.account_id, "2026-01-10", ACTOR)


def test_unknown_account_is_45001(db):
    make_account(db)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("close_account", 999, "2026-06-30", ACTOR)
    assert e.value.errno == 45001
    assert db.snapshot() == before


def test_closing_twice_is_45003(db):
    acc = make_account(db, opened_on="2026-01-01")
    db.call("close_account", acc, "2026-06-30", ACTOR)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("close_account", acc, "2026-07-31", ACTOR)
    assert e.value.errno == 45003
    assert db.snapshot() == before
    assert str(db.value("SELECT closed_on FROM account WHERE account_id = %s", acc)) == "2026-06-30"


@pytest.mark.parametrize("closed_on, actor", [
    (None, ACTOR),
    ("2025-12-31", ACTOR),       # before opened_on
    ("2026-02-27", ACTOR),       # before the latest bill's period_end (2026-02-28)
    ("2026-01-15", ACTOR),
    ("2026-06-30", None),
    ("2026-06-30", ""),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, closed_on, actor):
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    insert_bill(db, a.account_id, "2026-01-01", "2026-01-31", "2026-900001")
    insert_bill(db, a.account_id, "2026-02-01", "2026-02-28", "2026-900002")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("close_account", a.account_id, closed_on, actor)
    assert e.value.errno == 45002
    assert db.snapshot() == before
    assert db.value("SELECT closed_on FROM account WHERE account_id = %s", a.account_id) is None
