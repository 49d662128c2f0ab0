"""Points in review that are passed over (billing-rules.md, "The billing period of one account":
"Earlier points of the window in review are passed over when the latest one is accepted").

C runs from the previous value through the window's accepted points to the end reading; a point
in review that was neither approved nor rejected counts for nothing, also when its value lies
above the next point's (which was then stored as a rollover from it). The same holds across a
meter exchange, for the register advance later estimates average, and for an interpolated
estimate's step to the first accepted point after the period. Worked by hand in the comments;
every case here was billed through the point in review before (e.g. 10,300 kWh for 300).
"""
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from helpers.db import DbError, truncate_all
from helpers.factories import make_metered_account, make_tariff

ACTOR = "batch:test"
STAFF = "staff:test"
FLAT = dict(effective_from="2025-01-01", fixed_charge="0", tax_rate_pct="0", late_fee_pct="0",
            early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])


@pytest.fixture(autouse=True)
def later_today(db):
    db.set_clock("2026-06-01 00:00:00")


@pytest.fixture
def acc(db):
    """A 4-dial meter (capacity 10,000) billed for December 2025: 0 on 12-01, 100 on 12-31."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    a = make_metered_account(db, tariff_code="FLAT", opened_on="2025-12-01", dial_digits=4, initial_read=0)
    assert read(db, a, "2025-12-31", 100)["status"] == "accepted"
    run(db, "2025-12-01", "2025-12-31")
    return a


def read(db, acc, on, value):
    return db.call("record_reading", acc.serial, on, value, "field", STAFF)


def run(db, start, end):
    issue = db.value("SELECT %s + INTERVAL 1 DAY", end)
    return db.call("run_billing", start, end, issue, 14, ACTOR)


def bill_of(db, account_id, period_end):
    return db.row("SELECT * FROM v_bill_summary WHERE account_id = %s AND period_end = %s",
                  account_id, period_end)


def test_a_point_in_review_above_the_end_reading_counts_for_nothing(db, acc):
    misread = read(db, acc, "2026-01-10", 9500)          # 9,400 kWh in 10 days: review
    assert misread["status"] == "review"
    end = read(db, acc, "2026-01-31", 400)               # a rollover from 9,500: 900 kWh
    assert (end["status"], end["consumption_kwh"]) == ("review", D("900.0000"))
    db.call("approve_reading", end["reading_id"], STAFF)
    run(db, "2026-01-01", "2026-01-31")
    jan = bill_of(db, acc.account_id, "2026-01-31")
    # 100 -> 400, the point of 01-10 passed over: 300 kWh (through it: 9,400 + 900 = 10,300)
    assert (jan["consumption_kwh"], jan["energy_charge"], jan["estimated"]) == (D("300.0000"), D("30.00"), 0)
    assert db.value("SELECT register_advance FROM bill WHERE bill_id = %s", jan["bill_id"]) == D("300.00")
    assert db.value("SELECT status FROM meter_reading WHERE reading_id = %s", misread["reading_id"]) == "review"
    # February has no reading: estimated from the register advance of the bills, December's 100
    # in 31 days and January's 300 in 31: ROUND(400 * 28 / 62, 2) = 180.65
    run(db, "2026-02-01", "2026-02-28")
    feb = bill_of(db, acc.account_id, "2026-02-28")
    assert (feb["estimated"], feb["consumption_kwh"], feb["end_read_value"]) == (1, D("180.6500"), D("580.65"))


def test_a_preview_and_bill_account_pass_it_over_too(db, acc):
    read(db, acc, "2026-01-10", 9500)
    db.call("approve_reading", read(db, acc, "2026-01-31", 400)["reading_id"], STAFF)
    preview = db.call("preview_bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                      STAFF)
    assert db.value("SELECT consumption_kwh FROM v_preview_bills WHERE preview_id = %s",
                    preview["preview_id"]) == D("300.0000")
    bill_id = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                      STAFF)["bill_id"]
    assert db.value("SELECT consumption_kwh FROM bill WHERE bill_id = %s", bill_id) == D("300.0000")


def test_points_in_review_below_the_end_reading_change_nothing(db, acc):
    # no rollover: the steps through the point in review add up to the step over it
    assert read(db, acc, "2026-01-10", 3100)["status"] == "review"
    db.call("approve_reading", read(db, acc, "2026-01-31", 3400)["reading_id"], STAFF)
    run(db, "2026-01-01", "2026-01-31")
    assert bill_of(db, acc.account_id, "2026-01-31")["consumption_kwh"] == D("3300.0000")


def test_an_end_reading_in_review_still_stops_the_bill(db, acc):
    read(db, acc, "2026-01-10", 9500)
    read(db, acc, "2026-01-31", 400)                     # in review, not approved
    r = run(db, "2026-01-01", "2026-01-31")
    assert (r["bills_created"], r["accounts_skipped"]) == (0, 1)
    assert db.value("SELECT code FROM v_billing_exceptions WHERE run_id = %s", r["run_id"]) == "READ_NEEDS_REVIEW"


def test_across_a_meter_exchange(db, acc):
    # the old meter: 100 (December's end), 9,500 in review, final read 300 at the exchange on
    # 01-20 (a rollover of 800 from 9,500); the new meter: 50 on 01-20, 80 on 01-31.
    # C = (300 - 100) + (80 - 50) = 230 (through the point in review: 9,400 + 800 + 30 = 10,230)
    assert read(db, acc, "2026-01-10", 9500)["status"] == "review"
    db.call("exchange_meter", acc.account_id, "2026-01-20", 300, "NEW-PASSED", 4, 1, 50, STAFF)
    new = type(acc)(**{**vars(acc), "serial": "NEW-PASSED"})
    read(db, new, "2026-01-31", 80)
    run(db, "2026-01-01", "2026-01-31")
    assert bill_of(db, acc.account_id, "2026-01-31")["consumption_kwh"] == D("230.0000")


def test_with_a_multiplier_and_several_points(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    a = make_metered_account(db, tariff_code="FLAT", opened_on="2025-12-01", dial_digits=4,
                             multiplier=D("2.50"), initial_read=9000)
    read(db, a, "2025-12-31", 9100)                                  # 100 x 2.5 = 250 kWh
    run(db, "2025-12-01", "2025-12-31")
    assert read(db, a, "2026-01-05", 9900)["status"] == "review"     # 800 in 5 days
    assert read(db, a, "2026-01-08", 500)["status"] == "review"      # a rollover from the latest point
    db.call("approve_reading", read(db, a, "2026-01-20", 9200)["reading_id"], STAFF)   # 8,700 from 500
    assert read(db, a, "2026-01-31", 9250)["status"] == "accepted"
    run(db, "2026-01-01", "2026-01-31")
    jan = bill_of(db, a.account_id, "2026-01-31")
    # 9,100 -> 9,200 -> 9,250 over the accepted points: 150 register units x 2.5 = 375 kWh
    # (through the points in review: (800 + 600 + 8,700 + 50) x 2.5 = 25,375)
    assert jan["consumption_kwh"] == D("375.0000")
    assert db.value("SELECT register_advance FROM bill WHERE bill_id = %s", jan["bill_id"]) == D("150.00")


def test_an_interpolated_estimate_steps_over_a_point_in_review(db):
    # 4 dials: 8,800 on 12-01, 9,000 on 12-31 (billed), then 9,900 on 02-10 in review and 500 on
    # 03-31 (a rollover of 600 from 9,900, accepted). January has no point: its estimate is
    # interpolated towards 03-31 over the point in review: step 9,000 -> 500 = 1,500 (a rollover
    # that no reading checked: 9,000 to 500 alone would be refused as backwards);
    # advance = ROUND(1500 * 31 / 90, 2) = 516.67, the estimate 9,516.67 (below 9,900: the next
    # point's step is re-based on it, 383.33). It was extrapolated (200 kWh) before.
    make_tariff(db, code="FLAT", versions=[FLAT])
    a = make_metered_account(db, tariff_code="FLAT", opened_on="2025-12-01", dial_digits=4, initial_read=8800)
    read(db, a, "2025-12-31", 9000)
    run(db, "2025-12-01", "2025-12-31")
    assert read(db, a, "2026-02-10", 9900)["status"] == "review"
    assert read(db, a, "2026-03-31", 500)["status"] == "accepted"
    run(db, "2026-01-01", "2026-01-31")
    jan = bill_of(db, a.account_id, "2026-01-31")
    assert (jan["estimated"], jan["consumption_kwh"], jan["end_read_value"]) == (1, D("516.6700"), D("9516.67"))
    assert db.value("SELECT consumption_kwh FROM meter_reading WHERE meter_id = %s AND read_on = %s",
                    a.meter_id, date(2026, 2, 10)) == D("383.3300")


# --- against a model: C over the accepted points only ---------------------------------------------

@st.composite
def readings(draw):
    """A 4-dial meter: its initial read (low, high or near the top of the dial) and 2 to 8
    readings in January 2026, each an advance of 0 to 1,000 (mostly up to 200) from the last true
    value (a rollover when it passes 9,999) or a misread: anywhere on the dial, or high on it
    while the true value is low, so that the next true value is a rollover from it (misreads
    mostly go to review, some are refused as backwards). Each reading in review is approved or
    left in review; the last one recorded is approved, so the bill has an accepted end."""
    initial = draw(st.sampled_from([0, 50, 300, 8000, 9990]))
    days = sorted(draw(st.sets(st.integers(2, 31), min_size=2, max_size=8)))
    values, v = [], initial
    for _ in days:
        kind = draw(st.integers(0, 5))
        if kind == 0:
            values.append(draw(st.integers(0, 9999)))            # a misread anywhere
        elif kind <= 2 and v < 900:
            # a misread high on the dial: the next true value may then be a rollover from it
            values.append(draw(st.integers(9000 + v, 9999)))
        else:
            v = (v + draw(st.one_of(st.integers(0, 200), st.integers(0, 1000)))) % 10000
            values.append(v)
    return dict(initial=initial, mult=draw(st.sampled_from([D("1"), D("2.5"), D("40")])),
                days=days, values=values,
                approve=draw(st.lists(st.sampled_from([True, False, False]), min_size=8, max_size=8)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=readings())
def test_c_runs_over_the_accepted_points_only(db, _tables, s):
    truncate_all(db, _tables)
    db.set_clock("2026-06-01 00:00:00")
    make_tariff(db, code="FLAT", versions=[FLAT])
    a = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", dial_digits=4,
                             multiplier=s["mult"], initial_read=s["initial"])
    stored = []                                   # (reading_id, value) of the readings recorded
    for day, value, approve in zip(s["days"], s["values"], s["approve"]):
        try:
            r = read(db, a, f"2026-01-{day:02d}", value)
        except DbError as e:
            assert e.errno in (45010, 45011), e    # backwards, or not after the latest point
            continue
        if r["status"] == "review" and approve:
            db.call("approve_reading", r["reading_id"], STAFF)
        stored.append((r["reading_id"], value))
    if not stored:
        return
    last_id = stored[-1][0]
    if db.value("SELECT status FROM meter_reading WHERE reading_id = %s", last_id) == "review":
        db.call("approve_reading", last_id, STAFF)
    accepted = [s["initial"]] + [v for rid, v in stored if db.value(
        "SELECT status FROM meter_reading WHERE reading_id = %s", rid) == "accepted"]
    register = sum(((cur - prev) % 10000 for prev, cur in zip(accepted, accepted[1:])), 0)
    bill_id = db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                      STAFF)["bill_id"]
    assert bill_id is not None, db.rows("SELECT * FROM v_billing_exceptions")
    b = db.row("SELECT consumption_kwh, register_advance FROM bill WHERE bill_id = %s", bill_id)
    through = db.value("SELECT SUM(consumption_kwh) FROM meter_reading WHERE meter_id = %s"
                       " AND point_on IS NOT NULL", a.meter_id)
    event("passing over changes C" if through != register * s["mult"] else "C as through every point")
    assert (b["register_advance"], b["consumption_kwh"]) == (register, register * s["mult"])
