"""meter_step_kwh and _fail, the shared helpers of the procedures."""
from decimal import Decimal

import pytest

from helpers.db import DbError


@pytest.mark.parametrize("prev, cur, digits, mult, want", [
    ("100", "150.5", 4, "1", "50.5000"),          # plain advance
    ("100", "100", 4, "1", "0.0000"),             # no use
    ("9990", "15", 4, "1", "25.0000"),            # rollover: 10000 - 9990 + 15 = 25 <= 1000
    ("9000", "0", 4, "1", "1000.0000"),           # rollover exactly at capacity / 10
    ("8999.99", "0", 4, "1", None),               # 1000.01 > 1000: backwards
    ("500", "400", 4, "1", None),                 # backwards
    ("100", "150", 4, "40", "2000.0000"),         # multiplier
    ("99990", "5", 5, "2.5", "37.5000"),
    ("0", "0.01", 4, "1.25", "0.0125"),           # two-decimal multiplier stays exact,          # rollover with multiplier
])
def test_meter_step_kwh(db, prev, cur, digits, mult, want):
    got = db.value("SELECT meter_step_kwh(%s, %s, %s, %s)", prev, cur, digits, mult)
    assert got == (None if want is None else Decimal(want))


def test_fail_signals_the_given_errno_and_message(db):
    with pytest.raises(DbError) as e:
        db.call("_fail", 45001, "no account with id 7")
    assert e.value.errno == 45001
    assert e.value.message == "no account with id 7"
