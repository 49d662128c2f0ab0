"""Differential test: the SQL billing engine against the reference model in billing_model.py,
line by line, to the cent, over random tariffs (versions changing inside the period, blocks),
consumption, multipliers, opening dates, periods and discounts."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.billing_model import Version, model_bill
from helpers.factories import give_discount, make_discount, make_metered_account, make_tariff

MONEY = st.decimals(min_value=0, max_value=60, places=2)
PCT = st.decimals(min_value=0, max_value=30, places=2)
RATE = st.decimals(min_value=0, max_value=Decimal("0.9"), places=6)


@st.composite
def blocks(draw):
    n = draw(st.integers(1, 4))
    bounds = sorted(draw(st.sets(st.decimals(min_value=1, max_value=900, places=2), min_size=n - 1,
                                 max_size=n - 1)))
    rates = draw(st.lists(RATE, min_size=n, max_size=n))
    return [(b, r) for b, r in zip(bounds + [None], rates)]


@st.composite
def scenario(draw):
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    length = draw(st.integers(1, 62))
    end = start + timedelta(days=length - 1)
    # opened before the period now and then: days before bs unbilled, so UNBILLED_GAP
    opened = start + timedelta(days=draw(st.integers(-5, length - 1)))
    # versions: the first in force on or before the bill start, others may start inside
    n_versions = draw(st.integers(1, 3))
    bs = max(start, opened)
    froms = [bs - timedelta(days=draw(st.integers(0, 30)))]
    for _ in range(n_versions - 1):
        froms.append(bs + timedelta(days=draw(st.integers(1, max(1, (end - bs).days + 5)))))
    froms = sorted(set(froms))
    versions = [Version(effective_from=f, fixed=draw(MONEY), tax_pct=draw(PCT),
                        early_pct=draw(st.decimals(min_value=0, max_value=5, places=2)),
                        early_days=draw(st.integers(0, 20)), blocks=draw(blocks()))
                for f in froms]
    multiplier = draw(st.sampled_from([Decimal("1"), Decimal("1"), Decimal("2.5"), Decimal("40")]))
    advance = draw(st.decimals(min_value=0, max_value=3000, places=2))
    discounts = draw(st.lists(st.decimals(min_value=0, max_value=100, places=2), max_size=2))
    issue = end + timedelta(days=draw(st.integers(1, 5)))      # the period is over when issued
    return dict(start=start, end=end, opened=opened, versions=versions, multiplier=multiplier,
                advance=advance, discounts=discounts, issue=issue, due_days=draw(st.integers(1, 90)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenario())
def test_sql_bill_matches_the_reference_model(db, _tables, s):
    from helpers.db import truncate_all
    truncate_all(db, _tables)
    db.set_clock("2029-01-01 00:00:00")
    t = make_tariff(db, code="DIFF", versions=[dict(
        effective_from=str(v.effective_from), fixed_charge=str(v.fixed), tax_rate_pct=str(v.tax_pct),
        late_fee_pct="0", early_pay_pct=str(v.early_pct), early_pay_days=v.early_days,
        blocks=v.blocks) for v in s["versions"]])
    acc = make_metered_account(db, tariff_code=t, opened_on=str(s["opened"]), dial_digits=6,
                               multiplier=s["multiplier"], initial_read=1000)
    for i, pct in enumerate(s["discounts"]):
        d = make_discount(db, code=f"D{i}", pct=str(pct))
        give_discount(db, acc.account_id, f"D{i}", valid_from=str(s["opened"]))
    read_on = s["end"] if s["opened"] < s["end"] else None
    if read_on is not None:
        db.call("record_reading", acc.serial, str(read_on), Decimal(1000) + s["advance"], "field", "staff:t")
    consumption = s["advance"] * s["multiplier"] if read_on is not None else Decimal(0)

    bill_id = db.call("bill_account", acc.account_id, str(s["start"]), str(s["end"]), str(s["issue"]),
                      s["due_days"], "staff:t")["bill_id"]
    if s["opened"] < s["start"]:   # no bill yet and bs > opened_on: unbilled days before bs
        assert bill_id is None
        assert db.value("SELECT code FROM v_billing_exceptions") == "UNBILLED_GAP"
        return
    want = model_bill(s["start"], s["end"], s["issue"], s["due_days"], s["opened"], consumption,
                      s["versions"], s["discounts"])
    assert want is not None
    if want["total"] < 0:   # discounts above 100% of energy in all: not billed, an exception
        assert bill_id is None
        assert db.value("SELECT code FROM v_billing_exceptions") == "NEGATIVE_TOTAL"
        return
    assert bill_id is not None
    got_lines = [(r["kind"], r["quantity_kwh"], r["amount"]) for r in db.rows(
        "SELECT kind, quantity_kwh, amount FROM v_bill_lines WHERE bill_id = %s ORDER BY line_no", bill_id)]
    assert got_lines == want["lines"]
    b = db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)
    assert b["energy_charge"] == want["energy"]
    assert b["fixed_charge"] == want["fixed"]
    assert b["discount_amount"] == want["discount"]
    assert b["tax_amount"] == want["tax"]
    assert b["total_amount"] == want["total"]
    assert b["rebate_amount"] == want["rebate_amount"]
    assert b["rebate_date"] == want["rebate_date"]
    assert b["due_date"] == want["due_date"]
    assert b["days_billed"] == want["days_billed"]
    assert b["consumption_kwh"] == consumption
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
