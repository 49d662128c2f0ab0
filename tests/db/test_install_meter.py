"""install_meter: the meter, its installation and its initial reading point."""
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_account, make_meter, make_metered_account


def test_installs_a_meter_with_its_initial_reading(db):
    acc = make_account(db, opened_on="2026-01-01")
    r = db.call("install_meter", acc, "  SN-1 ", 4, "2.5", "2026-01-05", "1234.50", "staff:bob")
    m = db.row("SELECT * FROM meter WHERE meter_id = %s", r["meter_id"])
    assert (m["serial_no"], m["dial_digits"], m["multiplier"]) == ("SN-1", 4, Decimal("2.5000"))
    inst = db.rows("SELECT * FROM meter_installation WHERE meter_id = %s", r["meter_id"])
    assert len(inst) == 1
    assert (inst[0]["account_id"], str(inst[0]["installed_on"]), inst[0]["initial_read"],
            inst[0]["removed_on"]) == (acc, "2026-01-05", Decimal("1234.50"), None)
    reads = db.rows("SELECT * FROM meter_reading WHERE meter_id = %s", r["meter_id"])
    assert len(reads) == 1
    rd = reads[0]
    assert (str(rd["read_on"]), rd["value"], rd["kind"], rd["source"], rd["status"],
            rd["consumption_kwh"], rd["recorded_by"]) == \
        ("2026-01-05", Decimal("1234.50"), "initial", "field", "accepted", Decimal("0"),
         "staff:bob")


def test_null_multiplier_means_1_and_installing_on_the_opening_and_closing_day_is_fine(db):
    acc = make_account(db, opened_on="2026-01-01")
    mid = db.call("install_meter", acc, "SN-2", 5, None, "2026-01-01", 0, ACTOR)["meter_id"]
    assert db.value("SELECT multiplier FROM meter WHERE meter_id = %s", mid) == Decimal("1")
    acc2 = make_account(db, opened_on="2026-01-01")
    db.call("close_account", acc2, "2026-03-31", ACTOR)
    db.call("install_meter", acc2, "SN-3", 5, 1, "2026-03-31", "99999.99", ACTOR)


def test_a_removed_meter_does_not_block_a_new_one(db):
    acc = make_metered_account(db)
    db.execute("UPDATE meter_installation SET removed_on = '2026-02-01' WHERE meter_id = %s",
               acc.meter_id)
    new = make_meter(db, acc.account_id, installed_on="2026-02-01")
    assert new != acc.meter_id


@pytest.mark.parametrize("args", [
    dict(serial=None),
    dict(serial=""),
    dict(serial="   "),
    dict(serial="x" * 41),
    dict(digits=None),
    dict(digits=0),
    dict(digits=10),
    dict(mult=0),
    dict(mult=-1),
    dict(mult="0.00001"),
    dict(mult="1.005"),                         # more than 2 decimals: consumption would not be exact
    dict(installed_on=None),
    dict(installed_on="2025-12-31"),            # before the account was opened
    dict(initial=None),
    dict(initial=-1),
    dict(initial=100000),                       # = 10^5, the capacity of 5 dials
    dict(digits=3, initial=1000),
    dict(initial="1.005"),
    dict(actor=None),
    dict(actor=""),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, args):
    acc = make_account(db, opened_on="2026-01-01")
    a = dict(serial="SN-9", digits=5, mult=1, installed_on="2026-01-01", initial=0, actor=ACTOR)
    a.update(args)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("install_meter", acc, a["serial"], a["digits"], a["mult"], a["installed_on"],
                a["initial"], a["actor"])
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_installing_after_the_account_closed_is_45002(db):
    acc = make_account(db, opened_on="2026-01-01")
    db.call("close_account", acc, "2026-03-31", ACTOR)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("install_meter", acc, "SN-9", 5, 1, "2026-04-01", 0, ACTOR)
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_a_meter_cannot_overlap_the_accounts_earlier_meter(db):
    """An account's installations never overlap (billing reads one meter a day): a meter of a
    closed account dated inside its old meter's service was taken, and every later billing of
    the account failed with a raw duplicate key (1062). The removal day itself is an exchange."""
    acc = make_metered_account(db, opened_on="2026-03-01")           # meter from 2026-03-01
    db.call("record_reading", acc.serial, "2026-03-15", 150, "field", ACTOR)
    db.call("close_account", acc.account_id, "2026-03-31", ACTOR)     # meter removed 03-31
    before = db.snapshot()
    for day in ("2026-03-01", "2026-03-05", "2026-03-30"):
        with pytest.raises(DbError) as e:
            db.call("install_meter", acc.account_id, "SN-LATE", 5, 1, day, 0, ACTOR)
        assert e.value.errno == 45002 and "previous meter" in e.value.message, day
    assert db.snapshot() == before
    # on the day the old one was removed (as an exchange on the last day): billing still works
    db.call("install_meter", acc.account_id, "SN-LAST-DAY", 5, 1, "2026-03-31", 0, ACTOR)
    bill = db.call("bill_account", acc.account_id, "2026-03-01", "2026-03-31",
                   db.value("SELECT CURRENT_DATE"), 14, ACTOR)
    why = db.rows("SELECT code, detail FROM billing_exception WHERE run_id = %s", bill["run_id"])
    assert bill["bill_id"] is not None, why


def test_a_meter_installed_and_removed_on_one_day_leaves_that_day_taken(db):
    acc = make_metered_account(db, opened_on="2026-01-01", installed_on="2026-02-01")
    db.execute("UPDATE meter_installation SET removed_on = '2026-02-01' WHERE meter_id = %s",
               acc.meter_id)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("install_meter", acc.account_id, "SN-SAME-DAY", 5, 1, "2026-02-01", 0, ACTOR)
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_a_meter_installed_in_the_future_is_45002(db):
    """The initial read is a reading, and readings are not dated after today."""
    acc = make_account(db, opened_on="2026-01-01")
    tomorrow = db.value("SELECT CURRENT_DATE + INTERVAL 1 DAY")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("install_meter", acc, "SN-SOON", 5, 1, tomorrow, 0, ACTOR)
    assert e.value.errno == 45002 and "future" in e.value.message
    assert db.snapshot() == before
    db.call("install_meter", acc, "SN-TODAY", 5, 1, db.value("SELECT CURRENT_DATE"), 0, ACTOR)


def test_unknown_account_is_45001(db):
    make_account(db)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("install_meter", 999, "SN-9", 5, 1, "2026-01-01", 0, ACTOR)
    assert e.value.errno == 45001
    assert db.snapshot() == before


def test_existing_serial_is_45003(db):
    first = make_metered_account(db, serial="SN-DUP")
    other = make_account(db)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("install_meter", other, "sn-dup", 5, 1, "2026-01-01", 0, ACTOR)
    assert e.value.errno == 45003
    assert db.snapshot() == before
    assert first.serial == "SN-DUP"


def test_second_active_meter_on_an_account_is_45003(db):
    acc = make_metered_account(db)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("install_meter", acc.account_id, "SN-OTHER", 5, 1, "2026-01-02", 0, ACTOR)
    assert e.value.errno == 45003
    assert db.snapshot() == before


def test_factory_gives_unique_serials(db):
    a, b = make_metered_account(db), make_metered_account(db)
    assert a.serial != b.serial and a.meter_id != b.meter_id
    assert a["account_no"] == "A0000001" and b.account_no == "A0000002"
    assert a.customer_no == "C0000001"
