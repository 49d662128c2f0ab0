"""Closing an account: the meter removed on closed_on, the final bill (be = closed_on) with an
estimate extrapolated to closed_on, prorated thresholds and fixed charge, payments while money is
open (billing-rules.md, "Closing an account", "The billing period of one account", "Payments")."""
from decimal import Decimal as D

import pytest

from helpers.bills import assert_integrity
from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account, make_tariff

VERSION = [dict(effective_from="2025-01-01", fixed_charge="9.30", tax_rate_pct="10",
                late_fee_pct="0", early_pay_pct="0", early_pay_days=0,
                blocks=[(100, "0.10"), (None, "0.20")])]


def two_months(db):
    """Jan: 0 -> 310 (C 310, D 31); Feb: 310 -> 590 (C 280, D 28)."""
    make_tariff(db, code="FIN", versions=VERSION)
    a = make_metered_account(db, tariff_code="FIN", opened_on="2026-01-01", serial="FIN-1")
    db.call("record_reading", "FIN-1", "2026-01-31", 310, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 20, ACTOR)
    db.call("record_reading", "FIN-1", "2026-02-28", 590, "field", ACTOR)
    db.call("run_billing", "2026-02-01", "2026-02-28", "2026-03-01", 20, ACTOR)
    return a


def final_bill(db, account_id):
    return db.row("SELECT * FROM v_bill_summary WHERE account_id = %s AND final = 1", account_id)


def test_close_removes_the_meter_and_refuses_later_readings(db):
    a = two_months(db)
    db.call("close_account", a.account_id, "2026-03-10", ACTOR)
    assert str(db.value("SELECT removed_on FROM meter_installation WHERE meter_id = %s",
                        a.meter_id)) == "2026-03-10"
    with pytest.raises(DbError) as e:
        db.call("record_reading", "FIN-1", "2026-03-12", 600, "field", ACTOR)
    assert e.value.errno == 45011


def test_final_bill_at_mid_period_estimated_from_the_previous_value(db):
    a = two_months(db)
    db.call("close_account", a.account_id, "2026-03-10", ACTOR)
    r = db.call("run_billing", "2026-03-01", "2026-03-31", "2026-04-01", 20, ACTOR)
    assert (r["accounts_considered"], r["bills_created"]) == (1, 1)
    b = final_bill(db, a.account_id)
    # be = closed_on = 03-10, bs = 03-01, D = 10, P = 31. No point in the window: m = the
    # previous value (590, 02-28). avg daily advance = (310 + 280) / (31 + 28) = 10;
    # advance = ROUND(10 x (03-10 - 02-28 = 10 days), 2) = 100.00: estimate 690 dated 03-10.
    # Block 1 up to ROUND(100 x 10 / 31, 4) = 32.2581 kWh: 32.2581 x 0.10 = 3.23;
    # block 2: 67.7419 x 0.20 = 13.55; fixed ROUND(9.30 x 10 / 31, 2) = 3.00;
    # tax ROUND(19.78 x 10%, 2) = 1.98; total 21.76.
    assert (str(b["period_start"]), str(b["period_end"]), b["estimated"], b["final"]) == (
        "2026-03-01", "2026-03-10", 1, 1)
    assert b["consumption_kwh"] == D("100.0000")
    assert (b["energy_charge"], b["fixed_charge"], b["tax_amount"], b["total_amount"]) == (
        D("16.78"), D("3.00"), D("1.98"), D("21.76"))
    est = db.row("SELECT read_on, value, kind, consumption_kwh FROM meter_reading WHERE reading_id = "
                 "(SELECT end_reading_id FROM bill WHERE bill_id = %s)", b["bill_id"])
    assert (str(est["read_on"]), est["value"], est["kind"], est["consumption_kwh"]) == (
        "2026-03-10", D("690.00"), "estimated", D("100.0000"))
    # earlier bills are not final
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE account_id = %s AND final = 0",
                    a.account_id) == 2
    # a later run does not consider the closed account
    r = db.call("run_billing", "2026-04-01", "2026-04-30", "2026-05-01", 20, ACTOR)
    assert r["accounts_considered"] == 0
    assert_integrity(db)


def test_final_bill_runs_through_a_window_reading_to_an_estimate_on_closed_on(db):
    a = two_months(db)
    db.call("record_reading", "FIN-1", "2026-03-05", 650, "field", ACTOR)
    db.call("close_account", a.account_id, "2026-03-10", ACTOR)
    db.call("bill_account", a.account_id, "2026-03-01", "2026-03-31", "2026-04-01", 20, ACTOR)
    b = final_bill(db, a.account_id)
    # m = 03-05 (650): 60 kWh; advance = ROUND(10 x 5, 2) = 50.00, estimate 700 on 03-10;
    # C = 60 + 50 = 110. Block 1: 3.23; block 2: 77.7419 x 0.20 = 15.55; fixed 3.00;
    # tax ROUND(21.78 x 10%, 2) = 2.18; total 23.96.
    assert (b["consumption_kwh"], b["estimated"], b["final"]) == (D("110.0000"), 1, 1)
    assert (b["energy_charge"], b["tax_amount"], b["total_amount"]) == (D("18.78"), D("2.18"), D("23.96"))
    assert db.value("SELECT register_advance FROM bill WHERE bill_id = %s", b["bill_id"]) == D("110.00")
    est = db.row("SELECT value, consumption_kwh FROM meter_reading WHERE reading_id = "
                 "(SELECT end_reading_id FROM bill WHERE bill_id = %s)", b["bill_id"])
    assert (est["value"], est["consumption_kwh"]) == (D("700.00"), D("50.0000"))
    assert_integrity(db)


def test_final_bill_with_a_reading_on_closed_on_is_not_estimated(db):
    a = two_months(db)
    db.call("record_reading", "FIN-1", "2026-03-10", 690, "field", ACTOR)
    db.call("close_account", a.account_id, "2026-03-10", ACTOR)
    db.call("run_billing", "2026-03-01", "2026-03-31", "2026-04-01", 20, ACTOR)
    b = final_bill(db, a.account_id)
    assert (b["consumption_kwh"], b["estimated"], b["total_amount"]) == (D("100.0000"), 0, D("21.76"))


def test_a_closed_account_accepts_payments_while_money_is_open(db):
    a = two_months(db)
    db.call("close_account", a.account_id, "2026-03-10", ACTOR)
    db.call("run_billing", "2026-03-01", "2026-03-31", "2026-04-01", 20, ACTOR)
    open_ = db.value("SELECT SUM(amount_open) FROM v_bill_summary WHERE account_id = %s", a.account_id)
    assert open_ > 0
    p = db.call("post_payment", a.account_id, open_, "cash", "2026-04-02 10:00:00", "close-1", ACTOR)
    assert (p["allocated"], p["unallocated"], p["balance_after"]) == (open_, D("0.00"), D("0.00"))
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("post_payment", a.account_id, "5.00", "cash", "2026-04-03 10:00:00", "close-2", ACTOR)
    assert e.value.errno == 45021
    assert db.snapshot() == before
    # the replay of the first payment is still answered
    assert db.call("post_payment", a.account_id, open_, "cash", "2026-04-02 10:00:00", "close-1",
                   ACTOR)["replayed"] == 1
    assert_integrity(db)


@pytest.mark.parametrize("closed_on", ["2099-01-01", "2026-02-27"])
def test_close_after_today_or_before_the_meters_latest_point_is_45002(db, closed_on):
    make_tariff(db, code="FIN", versions=VERSION)
    a = make_metered_account(db, tariff_code="FIN", opened_on="2026-01-01", serial="FIN-1")
    db.call("record_reading", "FIN-1", "2026-02-28", 100, "field", ACTOR)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("close_account", a.account_id, closed_on, ACTOR)
    assert e.value.errno == 45002
    assert db.snapshot() == before
