"""The clerk's high-use figures (v_staff_meter_context.history_kwh, from v_staff_meter_points'
newest 4 accepted points through _points_advance_kwh) say what record_reading's check uses
(_high_use_history_kwh, which reads the points itself): on every meter of the demo year, and
on a meter whose points roll over and step over a point in review."""
from decimal import Decimal

from helpers.factories import ACTOR, make_metered_account


def _context_and_function(d, where="", *args):
    return d.rows("SELECT c.meter_id, c.history_days, c.history_kwh, c.daily_kwh, "
                  "_high_use_history_kwh(c.meter_id) AS checked FROM v_staff_meter_context c "
                  + where + " ORDER BY c.meter_id", *args)


def test_every_demo_meter_has_the_history_record_reading_checks_with(demo):
    rows = _context_and_function(demo)
    with_history = [r for r in rows if r["history_kwh"] is not None]
    assert len(with_history) > 100
    for r in with_history:
        assert r["history_kwh"] == r["checked"], r
        assert r["daily_kwh"] == round(r["checked"] / r["history_days"], 2), r
    # without an interval the context says nothing (the check has 0 kWh: no rule applies)
    assert all(r["checked"] == 0 for r in rows if r["history_kwh"] is None)


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
    [row] = _context_and_function(db, "WHERE c.meter_id = %s", m.meter_id)
    assert row["history_kwh"] == row["checked"] == Decimal("4500.0000"), row
    db.set_clock(None)
