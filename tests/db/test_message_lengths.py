"""Every contract error's message fits in MySQL's 128 characters, with the longest bad inputs.

MySQL refuses a SIGNAL MESSAGE_TEXT over 128 characters (MariaDB allows 512): under strict mode
the contract's error would become error 1648. tests/static checks the worst case of every message
from the source; this calls the procedures with the longest inputs that reach each long message.
"""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_discount, make_metered_account, give_discount, make_tariff

LONG = "X" * 100
LIMIT = 128


def fails(db, errno, proc, *args):
    with pytest.raises(DbError) as e:
        db.call(proc, *args)
    assert e.value.errno == errno, e.value.message
    assert len(e.value.message) <= LIMIT, (len(e.value.message), e.value.message)
    return e.value.message


def test_long_inputs_give_messages_of_at_most_128_characters(db):
    acc = make_metered_account(db, opened_on="2026-01-01", initial_read=10)
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-01 10:00:00')")
    fails(db, 45002, "create_customer", "Ann", LONG + "@" + LONG, None, None, ACTOR)
    fails(db, 45002, "create_customer", "Ann", "not an e-mail " + "y" * 80, None, None, ACTOR)
    fails(db, 45001, "open_account", 999999, LONG, "x", "2026-01-01", ACTOR)
    fails(db, 45002, "open_account", "12" * 60, "RES", "x", "2026-01-01", ACTOR)
    fails(db, 45002, "open_account", 1, "RES", "x", "2026-13-45" + "9" * 100, ACTOR)
    fails(db, 45002, "post_payment", acc.account_id, "10.00", "m" * 100, None, "k", ACTOR)
    fails(db, 45020, "post_payment", acc.account_id, "1" * 60, "cash", None, "k", ACTOR)
    key = "K" * 100
    db.call("post_payment", acc.account_id, "10.00", "cash", None, key, ACTOR)
    fails(db, 45022, "post_payment", acc.account_id, "999999.99", "cash", None, key, ACTOR)
    fails(db, 45002, "record_reading", acc.serial, "2026-02-01", "12.345", "f" * 100, ACTOR)
    fails(db, 45001, "record_reading", "S" * 100, "2026-02-01", "12", "field", ACTOR)
    fails(db, 45011, "record_reading", acc.serial, "2026-02-01", "99999999999", "field", ACTOR)
    fails(db, 45001, "add_tariff_version", LONG, "2026-01-01", "5.00", "10", "1.5", "2", 10,
          '[{"up_to_kwh": null, "rate": 0.1}]', ACTOR)
    fails(db, 45031, "add_tariff_version", acc.tariff_code, "2026-01-01", "5.00", "10", "1.5", "2",
          10, '[{"up_to_kwh": null, "rate": 0.1}, ' + '{"rate": 0.1}, ' * 200 + '{"rate": 1}]',
          ACTOR)
    code = "D" * 20
    make_discount(db, code=code)
    fails(db, 45003, "create_discount", code, "again", "10", ACTOR)
    give_discount(db, acc.account_id, discount_code=code, valid_from="2026-01-01")
    fails(db, 45003, "assign_discount", acc.account_id, code, "2026-01-01", None, ACTOR)
    fails(db, 45001, "assign_discount", acc.account_id, LONG, "2026-01-01", None, ACTOR)
    t = make_tariff(db, code="T" * 20, versions=[])
    fails(db, 45003, "create_tariff", t.code, "again", ACTOR)
    fails(db, 45003, "install_meter", acc.account_id, acc.serial, 6, 1, "2026-01-01", 0, ACTOR)


def test_fail_cuts_a_longer_message_to_128_characters(db):
    message = fails(db, 45002, "_fail", 45002, "m" * 300)
    assert message == "m" * 128
