"""record_reading: consumption, rollover, the range and order rules, the high-use check.

Meters are made with tests/helpers/factories.py (install_meter: the initial read is the first point).
The session's clock is set to TODAY so that "in the future" does not depend on the real date.
"""
import threading
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import make_metered_account

TODAY = "2026-12-31"
ACTOR = "staff:test"


def set_today(db, day=TODAY):
    db.set_clock(f"{day} 12:00:00")


@pytest.fixture
def meter(db):
    """A 5-dial meter, multiplier 1, installed on 2026-01-01 with 1000.00 on the register."""
    set_today(db)
    return make_metered_account(db, opened_on="2026-01-01", initial_read=1000, dial_digits=5)


def rec(db, serial, read_on, value, source="field", actor=ACTOR):
    return db.call("record_reading", serial, read_on, value, source, actor)


def fails(db, errno, *args):
    """record_reading(*args) fails with errno and writes nothing."""
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("record_reading", *args)
    assert e.value.errno == errno, e.value
    assert db.snapshot() == before
    return e.value.message


def points(db, meter_id):
    return [(str(r["read_on"]), r["value"], r["status"], r["consumption_kwh"]) for r in db.rows(
        "SELECT read_on, value, status, consumption_kwh FROM meter_reading"
        " WHERE meter_id = %s AND status <> 'rejected' ORDER BY read_on", meter_id)]


# --- consumption -------------------------------------------------------------------------------

def test_plain_reading_is_stored_with_its_consumption(db, meter):
    r = rec(db, meter.serial, "2026-01-31", "1250.75")
    assert r["status"] == "accepted" and r["consumption_kwh"] == Decimal("250.7500")
    row = db.row("SELECT * FROM meter_reading WHERE reading_id = %s", r["reading_id"])
    assert row["meter_id"] == meter.meter_id and str(row["read_on"]) == "2026-01-31"
    assert row["value"] == Decimal("1250.75") and row["kind"] == "actual" and row["source"] == "field"
    assert row["status"] == "accepted" and row["consumption_kwh"] == Decimal("250.7500")
    assert row["recorded_by"] == ACTOR and str(row["recorded_at"]) == f"{TODAY} 12:00:00"
    assert row["reviewed_by"] is None and row["reviewed_at"] is None and row["reject_reason"] is None


def test_each_reading_steps_from_the_latest_point(db, meter):
    assert rec(db, meter.serial, "2026-01-31", 1100)["consumption_kwh"] == 100
    assert rec(db, meter.serial, "2026-03-02", 1190, "customer")["consumption_kwh"] == 90
    assert rec(db, meter.serial, "2026-04-01", 1190, "smart")["consumption_kwh"] == 0   # no use
    assert points(db, meter.meter_id) == [
        ("2026-01-01", 1000, "accepted", 0), ("2026-01-31", 1100, "accepted", 100),
        ("2026-03-02", 1190, "accepted", 90), ("2026-04-01", 1190, "accepted", 0)]
    assert [r["source"] for r in db.rows(
        "SELECT source FROM meter_reading WHERE meter_id = %s ORDER BY read_on", meter.meter_id)] == \
        ["field", "field", "customer", "smart"]


def test_a_reading_dated_today_is_allowed(db, meter):
    assert rec(db, meter.serial, TODAY, 1100)["status"] == "accepted"


def test_multiplier(db):
    set_today(db)
    m = make_metered_account(db, initial_read=100, multiplier=40)
    assert rec(db, m.serial, "2026-01-31", "150.5")["consumption_kwh"] == Decimal("2020.0000")


@pytest.mark.parametrize("digits, mult, initial, value, kwh", [
    (4, 1, "9990", "15", "25.0000"),            # 10000 - 9990 + 15
    (4, 1, "9000", "0", "1000.0000"),           # exactly capacity / 10
    (5, "2.5", "99990", "5", "37.5000"),         # rollover with multiplier
])
def test_rollover(db, digits, mult, initial, value, kwh):
    set_today(db)
    m = make_metered_account(db, initial_read=initial, dial_digits=digits, multiplier=mult)
    r = rec(db, m.serial, "2026-01-31", value)
    assert r["consumption_kwh"] == Decimal(kwh) and r["status"] == "accepted"


@pytest.mark.parametrize("digits, initial, value", [
    (5, "1000", "999.99"),          # a little backwards
    (4, "8999.99", "0"),            # 1000.01 > capacity / 10: no rollover
    (4, "5000", "10"),
])
def test_backwards_is_refused(db, digits, initial, value):
    set_today(db)
    m = make_metered_account(db, initial_read=initial, dial_digits=digits)
    assert "rollover" in fails(db, 45010, m.serial, "2026-01-31", value, "field", ACTOR)


def test_backwards_from_the_latest_point_not_the_first(db, meter):
    rec(db, meter.serial, "2026-01-31", 1500)
    fails(db, 45010, meter.serial, "2026-03-02", 1400, "field", ACTOR)
    assert rec(db, meter.serial, "2026-03-02", 1500)["consumption_kwh"] == 0


# --- range and order (45011) -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-1", "-0.01", "100000", "100000.00", "250000"])
def test_value_negative_or_at_capacity_is_out_of_range(db, meter, value):
    fails(db, 45011, meter.serial, "2026-01-31", value, "field", ACTOR)


def test_value_just_below_capacity_is_a_value(db):
    set_today(db)
    m = make_metered_account(db, initial_read=99000, dial_digits=5)
    assert rec(db, m.serial, "2026-01-31", "99999.99")["consumption_kwh"] == Decimal("999.9900")


def test_a_date_after_today_is_out_of_range(db, meter):
    set_today(db, "2026-01-31")
    assert "future" in fails(db, 45011, meter.serial, "2026-02-01", 1100, "field", ACTOR)
    assert rec(db, meter.serial, "2026-01-31", 1100)["status"] == "accepted"


def test_the_date_of_the_latest_point_is_out_of_range(db, meter):
    fails(db, 45011, meter.serial, "2026-01-01", 1100, "field", ACTOR)      # the initial read's date
    rec(db, meter.serial, "2026-01-31", 1100)
    fails(db, 45011, meter.serial, "2026-01-31", 1200, "field", ACTOR)      # a duplicate date


def test_a_date_before_the_latest_point_is_out_of_range(db, meter):
    rec(db, meter.serial, "2026-03-31", 1300)
    fails(db, 45011, meter.serial, "2026-02-28", 1200, "field", ACTOR)      # out of order
    fails(db, 45011, meter.serial, "2025-12-31", 1000, "field", ACTOR)      # before installation


def test_a_review_point_is_a_point_for_the_order(db, meter):
    rec(db, meter.serial, "2026-01-31", 1100)
    assert rec(db, meter.serial, "2026-03-02", 5000)["status"] == "review"
    fails(db, 45011, meter.serial, "2026-03-02", 1200, "field", ACTOR)
    fails(db, 45011, meter.serial, "2026-02-15", 1150, "field", ACTOR)


# --- not found and invalid arguments ------------------------------------------------------------

def test_unknown_serial(db, meter):
    fails(db, 45001, "NO-SUCH-METER", "2026-01-31", 1100, "field", ACTOR)


def test_a_meter_that_was_never_installed_is_not_found(db, meter):
    db.execute("INSERT INTO meter (serial_no, dial_digits) VALUES ('LOOSE-1', 5)")
    fails(db, 45001, "LOOSE-1", "2026-01-31", 1100, "field", ACTOR)


def test_the_serial_is_trimmed(db, meter):
    assert rec(db, f"  {meter.serial} ", "2026-01-31", 1100)["consumption_kwh"] == 100


@pytest.mark.parametrize("source", ["email", "system", "FIELD", "field ", "Smart"])
def test_bad_source(db, meter, source):
    assert "source" in fails(db, 45002, meter.serial, "2026-01-31", 1100, source, ACTOR)


@pytest.mark.parametrize("which, empty", [
    (0, None), (0, ""), (0, "   "),                 # serial_no
    (1, None),                                      # read_on
    (2, None),                                      # value
    (3, None), (3, ""), (3, "  "),                  # source
    (4, None), (4, ""), (4, "  "),                  # actor
])
def test_missing_arguments(db, meter, which, empty):
    args = [meter.serial, "2026-01-31", 1100, "field", ACTOR]
    args[which] = empty
    assert "required" in fails(db, 45002, *args)


def test_actor_longer_than_100_characters(db, meter):
    fails(db, 45002, meter.serial, "2026-01-31", 1100, "field", "staff:" + "x" * 95)


@pytest.mark.parametrize("value", ["1100.001", "1100.125", "0.0001"])
def test_more_than_two_decimals(db, meter, value):
    assert "decimals" in fails(db, 45002, meter.serial, "2026-01-31", value, "field", ACTOR)


def test_error_order(db, meter):
    # missing argument before unknown serial
    fails(db, 45002, "NO-SUCH-METER", "2026-01-31", 1100, "field", None)
    # unknown serial before a bad source or an out-of-range value
    fails(db, 45001, "NO-SUCH-METER", "2026-01-31", -5, "email", ACTOR)
    # bad source or decimals before out of range
    fails(db, 45002, meter.serial, "2027-01-31", -5, "email", ACTOR)
    fails(db, 45002, meter.serial, "2027-01-31", "-5.001", "field", ACTOR)
    # out of range (date) before backwards
    fails(db, 45011, meter.serial, "2026-01-01", 500, "field", ACTOR)


# --- high-use check ------------------------------------------------------------------------------

@pytest.fixture
def hu(db):
    """A 6-dial meter installed on 2026-01-01 at 0."""
    set_today(db)
    return make_metered_account(db, opened_on="2026-01-01", initial_read=0, dial_digits=6)


def test_no_history_interval_means_accepted(db, hu):
    # only the initial point is accepted: no interval between accepted points yet
    r = rec(db, hu.serial, "2026-01-02", 900000)
    assert (r["status"], r["consumption_kwh"]) == ("accepted", Decimal("900000.0000"))


def test_history_average_zero_means_accepted(db, hu):
    rec(db, hu.serial, "2026-01-31", 0)
    assert rec(db, hu.serial, "2026-03-02", 5000)["status"] == "accepted"


@pytest.mark.parametrize("value, status", [("870.00", "accepted"), ("870.01", "review")])
def test_three_times_the_average_is_the_limit(db, hu, value, status):
    # history: 310 kWh in 31 days (10 a day); new: 29 days, 3 x 10 x 29 = 870
    rec(db, hu.serial, "2026-02-01", 310)
    r = rec(db, hu.serial, "2026-03-02", Decimal("310") + Decimal(value))
    assert (r["status"], r["consumption_kwh"]) == (status, Decimal(value))
    assert db.value("SELECT status FROM meter_reading WHERE reading_id = %s", r["reading_id"]) == status


def test_the_limit_is_compared_exactly_not_with_a_rounded_average(db, hu):
    # history: 100 kWh in 3 days (33.33.. a day; a rounded average of 33.33 would give a limit
    # of 99.99 and put 100 in review); new: 1 day. Exact: new_kwh * 3 > 3 * 100 * 1 <=> new_kwh > 100
    rec(db, hu.serial, "2026-01-04", 100)
    assert rec(db, hu.serial, "2026-01-05", 200)["status"] == "accepted"        # 100 kWh
    # history now: 200 kWh in 4 days; new 1 day: review when new_kwh * 4 > 600, i.e. > 150
    assert rec(db, hu.serial, "2026-01-06", "350.01")["status"] == "review"     # 150.01


@pytest.mark.parametrize("kwh, status", [("300.00", "accepted"), ("300.01", "review")])
def test_the_history_is_the_last_three_intervals(db, hu, kwh, status):
    # 30-day intervals: 3000 (first, no history), then 100, 100, 100 kWh
    v = Decimal(0)
    for day, use in [("2026-01-31", 3000), ("2026-03-02", 100), ("2026-04-01", 100), ("2026-05-01", 100)]:
        v += use
        assert rec(db, hu.serial, day, v)["status"] == "accepted"
    # last three intervals: 300 kWh in 90 days -> limit for 30 days is 300 kWh
    # (with the 3000 kWh interval the limit would be 3 * 3300 * 30 / 120 = 2475)
    r = rec(db, hu.serial, "2026-05-31", v + Decimal(kwh))
    assert r["status"] == status


def test_the_new_interval_starts_at_the_latest_point_even_in_review(db, hu):
    rec(db, hu.serial, "2026-01-31", 100)
    r = rec(db, hu.serial, "2026-03-02", 1100)
    assert (r["status"], r["consumption_kwh"]) == ("review", 1000)
    r = rec(db, hu.serial, "2026-04-01", 1200)
    assert (r["status"], r["consumption_kwh"]) == ("accepted", 100)


@pytest.mark.parametrize("kwh, status", [("975.00", "accepted"), ("975.01", "review")])
def test_a_review_point_is_left_out_of_the_history_but_its_consumption_is_not(db, hu, kwh, status):
    # P0 01-01 0 (initial), P1 01-31 100, P2 03-02 200, P3 04-01 1200 (review), P4 05-01 1300
    assert rec(db, hu.serial, "2026-01-31", 100)["status"] == "accepted"
    assert rec(db, hu.serial, "2026-03-02", 200)["status"] == "accepted"
    assert rec(db, hu.serial, "2026-04-01", 1200)["status"] == "review"
    assert rec(db, hu.serial, "2026-05-01", 1300)["status"] == "accepted"
    # history: the accepted points P0, P1, P2, P4 -> 120 days; the interval P2..P4 spans the
    # review point, so its kWh are P3's 1000 + P4's 100: 1300 kWh in 120 days.
    # new: 30 days -> review when kwh * 120 > 3 * 1300 * 30, i.e. kwh > 975.
    # (Counting P3 as a history point would give 1200 kWh / 90 days, a limit of 1200; leaving
    # out its consumption would give 300 / 120, a limit of 225.)
    r = rec(db, hu.serial, "2026-05-31", Decimal("1300") + Decimal(kwh))
    assert r["status"] == status


@pytest.mark.parametrize("kwh, status", [("400.00", "accepted"), ("400.01", "review")])
def test_a_history_interval_steps_over_a_point_in_review(db, kwh, status):
    # 4 dials (capacity 10,000): P0 01-01 0, P1 01-31 100, P2 03-02 9500 (review), P3 04-01 400
    # (a rollover of 900 from P2: review, then approved). The history's interval P1..P3 passes
    # over P2: 100 -> 400 is 300, so the history is 400 kWh in 90 days (the steps stored
    # through P2, 9,400 + 900, would make it 10,400 and let anything through).
    # new: 30 days -> review when kwh * 90 > 3 * 400 * 30, i.e. kwh > 400.
    set_today(db)
    m = make_metered_account(db, opened_on="2026-01-01", initial_read=0, dial_digits=4)
    assert rec(db, m.serial, "2026-01-31", 100)["status"] == "accepted"
    assert rec(db, m.serial, "2026-03-02", 9500)["status"] == "review"
    p3 = rec(db, m.serial, "2026-04-01", 400)
    assert (p3["status"], p3["consumption_kwh"]) == ("review", Decimal("900.0000"))
    db.call("approve_reading", p3["reading_id"], ACTOR)
    # the clerk's form warns with the same figures (v_staff_meter_context)
    ctx = db.row("SELECT history_kwh, history_days, daily_kwh FROM v_staff_meter_context WHERE meter_id = %s",
                 m.meter_id)
    assert (ctx["history_kwh"], ctx["history_days"], ctx["daily_kwh"]) == (Decimal("400.0000"), 90, Decimal("4.44"))
    assert rec(db, m.serial, "2026-05-01", Decimal("400") + Decimal(kwh))["status"] == status


def test_the_clerks_form_knows_a_void_estimate_is_no_point(db):
    # an estimate whose bill was cancelled is void: the latest point is the one before it again,
    # for record_reading and for the form beside it (v_staff_meter_points)
    set_today(db)
    m = make_metered_account(db, opened_on="2026-01-01", initial_read=0)
    rec(db, m.serial, "2026-01-31", 100)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "batch:test")
    db.call("run_billing", "2026-02-01", "2026-02-28", "2026-03-01", 14, "batch:test")   # estimated
    feb = db.value("SELECT bill_id FROM bill WHERE account_id = %s AND period_end = '2026-02-28'", m.account_id)
    db.call("cancel_bill", feb, "estimate too high", ACTOR)
    last = db.row("SELECT last_read_on, last_register FROM v_staff_meter_points WHERE meter_id = %s", m.meter_id)
    assert (str(last["last_read_on"]), last["last_register"]) == ("2026-01-31", Decimal("100.00"))
    assert rec(db, m.serial, "2026-02-20", 150)["status"] == "accepted"   # before the void estimate


def test_rejected_readings_are_no_points(db, hu):
    rec(db, hu.serial, "2026-01-31", 100)
    bad = rec(db, hu.serial, "2026-03-02", 9100)
    assert bad["status"] == "review"
    db.call("reject_reading", bad["reading_id"], "misread", ACTOR)
    # the date is free again; the step is from the point before the rejected one
    r = rec(db, hu.serial, "2026-03-02", 150)
    assert (r["status"], r["consumption_kwh"]) == ("accepted", 50)
    assert points(db, hu.meter_id) == [("2026-01-01", 0, "accepted", 0), ("2026-01-31", 100, "accepted", 100),
                                       ("2026-03-02", 150, "accepted", 50)]


def test_an_approved_point_joins_the_history(db, hu):
    rec(db, hu.serial, "2026-01-31", 100)                       # 100 in 30 days
    big = rec(db, hu.serial, "2026-03-02", 3100)                # 3000 in 30 days: review
    assert big["status"] == "review"
    db.call("approve_reading", big["reading_id"], ACTOR)
    # history now 3100 kWh in 60 days: 3000 in 30 days is below 3 x the average
    assert rec(db, hu.serial, "2026-04-01", 6100)["status"] == "accepted"


# --- concurrency ---------------------------------------------------------------------------------

def _race(conns, calls):
    """Runs each (serial, day, value) call on its own connection at the same moment; returns
    the results (a dict or the DbError) in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(i):
        barrier.wait()
        try:
            out[i] = conns[i].call("record_reading", *calls[i], "field", ACTOR)
        except DbError as e:
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


def two_connections(connect):
    conns = [connect(), connect()]
    for c in conns:
        set_today(c)
    return conns


def assert_chain(db, meter_id, digits):
    pts = points(db, meter_id)
    for (_, prev, _, _), (_, cur, _, kwh) in zip(pts, pts[1:]):
        want = db.value("SELECT meter_step_kwh(%s, %s, %s, 1)", prev, cur, digits)
        assert kwh == want, pts


def test_concurrent_readings_of_one_meter_never_break_the_chain(db, hu, connect):
    conns = two_connections(connect)
    value = Decimal(0)
    for month in range(1, 12):
        day = f"2026-{month + 1:02d}-01"
        # same day twice: exactly one wins, the other is a duplicate date (45011)
        out = _race(conns, [(hu.serial, day, value + 10), (hu.serial, day, value + 20)])
        ok = [r for r in out if isinstance(r, dict)]
        errs = [r for r in out if isinstance(r, DbError)]
        assert len(ok) == 1 and [e.errno for e in errs] == [45011], out
        value = db.value("SELECT value FROM meter_reading WHERE meter_id = %s AND read_on = %s",
                         hu.meter_id, day)
    assert len(points(db, hu.meter_id)) == 12
    assert_chain(db, hu.meter_id, 6)


def test_concurrent_readings_on_two_days_step_from_each_other(db, hu, connect):
    conns = two_connections(connect)
    value = Decimal(0)
    for month in range(1, 12):
        d1, d2 = f"2026-{month:02d}-10", f"2026-{month:02d}-20"
        out = _race(conns, [(hu.serial, d1, value + 10), (hu.serial, d2, value + 30)])
        # d1 first then d2 (both stored), or d2 first and d1 refused as out of order
        assert isinstance(out[1], dict), out
        assert isinstance(out[0], dict) or out[0].errno == 45011, out
        if isinstance(out[0], dict):
            assert out[1]["consumption_kwh"] == 20      # stepped from the d1 reading
        else:
            assert out[1]["consumption_kwh"] == 30
        value += 30
    assert_chain(db, hu.meter_id, 6)


# Readings queued behind the meter's lock (a third session holds it) are granted it one after the
# other: each must end as it would have ended called after the one before it committed. The
# high-use check read a snapshot taken before the lock (a plain read of the serial), so what the
# call before it committed was left out: a use just above 3x the history stayed 'accepted'
# without the low reading before it, a reading approved while this one waited still counted as
# in review (found by a race probe).
IN_TURN = {
    # two readings: 200 kWh in 10 days after 280 in 28, then 320 in 10: 'accepted' both ways
    "two_ordinary": [("rec", "2026-03-10", 1780, "accepted"),
                     ("rec", "2026-03-20", 2100, "accepted")],
    # 10 kWh in 10 days lowers the history: 280 in the next 10 days is then 'review'
    "low_then_high": [("rec", "2026-03-10", 1590, "accepted"),
                      ("rec", "2026-03-20", 1870, "review")],
    # the 1000 kWh reading in review is approved first: 400 in 10 days is then 'accepted'
    "approved_then": [("approve", None, None, "accepted"), ("rec", "2026-03-20", 2980, "accepted")],
}


@pytest.mark.parametrize("steps", IN_TURN.values(), ids=IN_TURN.keys())
def test_readings_queued_on_the_meter_end_as_one_after_the_other(db, connect, steps):
    from helpers.races import in_turn
    set_today(db)
    one_after, queued = (make_metered_account(db, opened_on="2026-01-01", initial_read=1000,
                                              dial_digits=5) for _ in range(2))
    calls = {}
    for m in (one_after, queued):
        rec(db, m.serial, "2026-01-31", 1300)
        rec(db, m.serial, "2026-02-28", 1580)
        in_review = rec(db, m.serial, "2026-03-10", 2580) if steps[0][0] == "approve" else None
        calls[m.serial] = [("approve_reading", in_review["reading_id"], ACTOR) if kind == "approve"
                    else ("record_reading", m.serial, day, value, "field", ACTOR)
                    for kind, day, value, _ in steps]
    sequential = [db.call(*c) for c in calls[one_after.serial]]
    raced = in_turn(db, connect, calls[queued.serial], "meter", queued.meter_id)
    assert [r.get("status") for r in raced] == [r.get("status") for r in sequential] \
        == [want for *_, want in steps], raced
