"""Differential test of the account lifecycle: a meter exchange inside the period (a rollover on
the old meter now and then, different dials and multipliers) and a close inside it (the final
bill, be = closed_on), the SQL engine against billing_model.py line by line, to the cent."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.billing_model import Version, model_bill, model_step
from helpers.factories import make_metered_account, make_tariff

MULT = st.sampled_from([Decimal("1"), Decimal("2.5"), Decimal("40")])
RATE = st.decimals(min_value=0, max_value=Decimal("0.9"), places=6)


@st.composite
def scenario(draw):
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    length = draw(st.integers(1, 62))
    end = start + timedelta(days=length - 1)
    bounds = sorted(draw(st.sets(st.integers(1, 900), min_size=1, max_size=2)))
    blocks = [(Decimal(b), draw(RATE)) for b in bounds] + [(None, draw(RATE))]
    version = Version(effective_from=start - timedelta(days=draw(st.integers(0, 30))),
                      fixed=draw(st.decimals(min_value=0, max_value=60, places=2)),
                      tax_pct=draw(st.decimals(min_value=0, max_value=30, places=2)),
                      early_pct="0", early_days=0, blocks=blocks)
    d1 = draw(st.integers(4, 6))
    cap1 = 10 ** d1
    old = dict(digits=d1, mult=draw(MULT), initial=Decimal(draw(st.integers(0, cap1 - 1))))
    exchange = None
    latest = start                          # the current meter's latest point
    if length > 1 and draw(st.booleans()):
        on = start + timedelta(days=draw(st.integers(1, length - 1)))
        adv = Decimal(draw(st.integers(0, cap1 // 10)))          # may roll over
        d2 = draw(st.integers(4, 6))
        exchange = dict(on=on, final=(old["initial"] + adv) % cap1, digits=d2, mult=draw(MULT),
                        initial=Decimal(draw(st.integers(0, 10 ** d2 - 1))))
        latest = on
    closed_on = None
    if draw(st.booleans()):
        closed_on = latest + timedelta(days=draw(st.integers(0, (end - latest).days)))
    last_day = closed_on or end
    cur_digits = exchange["digits"] if exchange else old["digits"]
    reading = None
    if last_day > latest:
        reading = Decimal(draw(st.integers(0, 10 ** cur_digits // 10)))   # the advance
    return dict(start=start, end=end, version=version, old=old, exchange=exchange,
                closed_on=closed_on, reading=reading, last_day=last_day,
                issue=end + timedelta(days=1), due_days=14)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenario())
def test_exchange_and_final_bill_match_the_reference_model(db, _tables, s):
    from helpers.db import truncate_all
    truncate_all(db, _tables)
    db.set_clock("2029-01-01 00:00:00")
    v = s["version"]
    t = make_tariff(db, code="LIFE", versions=[dict(
        effective_from=str(v.effective_from), fixed_charge=str(v.fixed), tax_rate_pct=str(v.tax_pct),
        late_fee_pct="0", early_pay_pct="0", early_pay_days=0, blocks=v.blocks)])
    old = s["old"]
    acc = make_metered_account(db, tariff_code=t, opened_on=str(s["start"]), serial="OLD",
                               dial_digits=old["digits"], multiplier=old["mult"],
                               initial_read=old["initial"])
    consumption = Decimal(0)
    serial, cur_value, cur_digits, cur_mult = "OLD", old["initial"], old["digits"], old["mult"]
    ex = s["exchange"]
    if ex:
        db.call("exchange_meter", acc.account_id, str(ex["on"]), ex["final"], "NEW", ex["digits"],
                ex["mult"], ex["initial"], "staff:t")
        step = model_step(old["initial"], ex["final"], old["digits"], old["mult"])
        consumption += Decimal(step.numerator) / Decimal(step.denominator)
        serial, cur_value, cur_digits, cur_mult = "NEW", ex["initial"], ex["digits"], ex["mult"]
    if s["reading"] is not None:
        value = (cur_value + s["reading"]) % (10 ** cur_digits)
        r = db.call("record_reading", serial, str(s["last_day"]), value, "field", "staff:t")
        assert r["status"] == "accepted"      # no history on a meter with only its initial read
        consumption += s["reading"] * cur_mult
    if s["closed_on"]:
        db.call("close_account", acc.account_id, str(s["closed_on"]), "staff:t")

    bill_id = db.call("bill_account", acc.account_id, str(s["start"]), str(s["end"]), str(s["issue"]),
                      s["due_days"], "staff:t")["bill_id"]
    want = model_bill(s["start"], s["end"], s["issue"], s["due_days"], s["start"], consumption,
                      [v], (), closed_on=s["closed_on"])
    assert bill_id is not None, db.rows("SELECT * FROM v_billing_exceptions")
    got = [(r["kind"], r["quantity_kwh"], r["amount"]) for r in db.rows(
        "SELECT kind, quantity_kwh, amount FROM v_bill_lines WHERE bill_id = %s ORDER BY line_no", bill_id)]
    assert got == want["lines"]
    b = db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)
    assert b["consumption_kwh"] == consumption
    assert b["total_amount"] == want["total"]
    assert b["period_end"] == s["last_day"]
    assert b["days_billed"] == want["days_billed"]
    assert b["estimated"] == 0
    assert b["final"] == (1 if s["closed_on"] else 0)
    end_meter = db.value("SELECT m.serial_no FROM bill b JOIN meter_reading r ON r.reading_id = "
                         "b.end_reading_id JOIN meter m ON m.meter_id = r.meter_id WHERE b.bill_id = %s",
                         bill_id)
    assert end_meter == serial
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
