"""The clerk's high-use figures (v_staff_meter_context.history_kwh, from v_staff_meter_points'
newest 4 accepted points through _points_advance_kwh) say what record_reading's check uses
(_high_use_history_kwh, which reads the points itself): on meters with random readings (dials,
multipliers, rollovers, points in review approved, rejected or left, estimates), after every
reading; and on a meter whose points roll over and step over a point in review."""
import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account, make_tariff


def _context_and_function(d, where="", *args):
    return d.rows("SELECT c.meter_id, c.history_days, c.history_kwh, c.daily_kwh, "
                  "_high_use_history_kwh(c.meter_id) AS checked FROM v_staff_meter_context c "
                  + where + " ORDER BY c.meter_id", *args)


def _agree(d, meter_id):
    [r] = _context_and_function(d, "WHERE c.meter_id = %s", meter_id)
    if r["history_kwh"] is None:
        assert r["checked"] == 0, r                 # no interval: the check has no history
    else:
        assert r["history_kwh"] == r["checked"], r
        # ROUND(x, 2) of the server: half away from zero (Python's round() goes to even)
        assert r["daily_kwh"] == (r["checked"] / r["history_days"]).quantize(
            Decimal("0.01"), ROUND_HALF_UP), r
    return r


def test_random_meters_have_the_history_record_reading_checks_with(db):
    rnd = random.Random(20261201)
    make_tariff(db, code="RES")
    db.set_clock("2026-12-31")
    seen = 0
    for n in range(12):
        digits, mult = rnd.choice([(4, "1"), (5, "2.5"), (6, "10")])
        capacity = 10 ** digits
        start = rnd.randrange(capacity)
        m = make_metered_account(db, tariff_code="RES", serial=f"SN-MCH-{n}",
                                 opened_on="2026-01-01", initial_read=start, dial_digits=digits,
                                 multiplier=mult)
        value, day = start, 0
        for _ in range(rnd.randrange(3, 10)):
            day += rnd.randrange(10, 40)
            step = rnd.choice([rnd.randrange(50, 400), rnd.randrange(2000, 6000)])
            value = (value + step) % capacity
            read_on = datetime.date(2026, 1, 1) + datetime.timedelta(days=day)
            try:
                r = db.call("record_reading", m.serial, read_on, value,
                            rnd.choice(["field", "field", "customer"]), ACTOR)
            except DbError:
                continue                            # a refused reading: nothing recorded
            if r["status"] == "review":
                what = rnd.choice(["approve", "reject", "leave"])
                if what == "approve":
                    db.call("approve_reading", r["reading_id"], ACTOR)
                elif what == "reject":
                    db.call("reject_reading", r["reading_id"], "misread", ACTOR)
            seen += _agree(db, m.meter_id)["history_kwh"] is not None
    assert seen > 30
    db.set_clock(None)


def test_rollovers_a_multiplier_and_a_point_in_review(db):
    """4 dials, multiplier 2.5: 9,000, 9,700, 300 (a rollover), 9,950 (review: high use), 800
    (accepted, a rollover of 850 from 9,950). The history's accepted points are 9,000, 9,700,
    300 and 800, and its steps 700 + 600 (a rollover) + 500 (300 to 800, passing over the point
    in review) = 1,800 register units, 4,500 kWh."""
    m = make_metered_account(db, opened_on="2026-01-01", initial_read=9000, dial_digits=4,
                             multiplier="2.5")
    db.set_clock("2026-06-30")
    statuses = []
    for day, value in (("2026-01-31", 9700), ("2026-03-02", 300), ("2026-04-01", 9950),
                       ("2026-05-01", 800)):
        statuses.append(db.call("record_reading", m.serial, day, value, "field", ACTOR)["status"])
    assert statuses == ["accepted", "accepted", "review", "accepted"]
    row = _agree(db, m.meter_id)
    assert row["history_kwh"] == Decimal("4500.0000"), row
    db.set_clock(None)
