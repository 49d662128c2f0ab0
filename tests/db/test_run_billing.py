"""Worked examples of the billing rules through run_billing and bill_account, one per rule,
with the expected figures worked out by hand in the comments."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from helpers.db import DbError
from helpers.factories import give_discount, make_metered_account, make_tariff

ACTOR = "batch:test"
RES = dict(effective_from="2025-01-01", fixed_charge="5.00", tax_rate_pct="10", late_fee_pct="2",
           early_pay_pct="2", early_pay_days=10, blocks=[(100, "0.12"), (None, "0.18")])
FLAT = dict(effective_from="2025-01-01", fixed_charge="0", tax_rate_pct="0", late_fee_pct="0",
            early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])


@pytest.fixture(autouse=True)
def later_today(db):
    db.set_clock("2026-06-01 00:00:00")


def lines(db, bill_id):
    return [(r["kind"], r["quantity_kwh"], r["amount"]) for r in db.rows(
        "SELECT kind, quantity_kwh, amount FROM v_bill_lines WHERE bill_id = %s ORDER BY line_no", bill_id)]


def bill_of(db, account_id, period_end="2026-01-31"):
    return db.row("SELECT * FROM v_bill_summary WHERE account_id = %s AND period_end = %s",
                  account_id, period_end)


def run_jan(db):
    return db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)


def read(db, acc, on, value):
    return db.call("record_reading", acc.serial, on, value, "field", "staff:test")


def test_single_block(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=1000)
    read(db, acc, "2026-01-31", 1250)
    r = run_jan(db)
    assert (r["accounts_considered"], r["bills_created"], r["accounts_skipped"]) == (1, 1, 0)
    assert r["total_billed"] == D("25.00")
    b = bill_of(db, acc.account_id)
    # 250 kWh x 0.10 = 25.00; no fixed charge, no tax
    assert lines(db, b["bill_id"]) == [("energy", D("250.0000"), D("25.00")), ("fixed", None, D("0.00")),
                                       ("tax", None, D("0.00"))]
    assert b["total_amount"] == D("25.00") and b["status"] == "open" and b["estimated"] == 0
    assert b["bill_no"] == "2026-000001"
    assert b["due_date"] == date(2026, 2, 15) and b["rebate_amount"] == 0 and b["rebate_date"] is None


def test_several_blocks_tax_and_rebate(db):
    make_tariff(db, code="RES", versions=[RES])
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01", initial_read=120)
    read(db, acc, "2026-01-31", 370)
    run_jan(db)
    b = bill_of(db, acc.account_id)
    # 250 kWh: 100 x 0.12 = 12.00, 150 x 0.18 = 27.00; fixed 5.00; tax 10% of 44.00 = 4.40
    assert lines(db, b["bill_id"]) == [("energy", D("100.0000"), D("12.00")),
                                       ("energy", D("150.0000"), D("27.00")),
                                       ("fixed", None, D("5.00")), ("tax", None, D("4.40"))]
    assert (b["energy_charge"], b["fixed_charge"], b["tax_amount"], b["total_amount"]) == \
        (D("39.00"), D("5.00"), D("4.40"), D("48.40"))
    # rebate: 2% of energy 39.00 = 0.78, by issue date + 10 days
    assert b["rebate_amount"] == D("0.78") and b["rebate_date"] == date(2026, 2, 11)
    assert b["rebate_granted"] == 0
    ledger = db.rows("SELECT entry_type, amount, entry_date FROM ledger_entry WHERE account_id = %s",
                     acc.account_id)
    assert ledger == [{"entry_type": "bill", "amount": D("48.40"), "entry_date": date(2026, 2, 1)}]


def test_version_change_inside_the_period(db):
    make_tariff(db, code="CHG", versions=[
        dict(effective_from="2025-01-01", fixed_charge="6.20", tax_rate_pct="10", late_fee_pct="0",
             early_pay_pct="0", early_pay_days=0, blocks=[(100, "0.10"), (None, "0.20")]),
        dict(effective_from="2026-01-21", fixed_charge="9.30", tax_rate_pct="5", late_fee_pct="0",
             early_pay_pct="0", early_pay_days=0, blocks=[(100, "0.20"), (None, "0.30")])])
    acc = make_metered_account(db, tariff_code="CHG", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 310)
    run_jan(db)
    b = bill_of(db, acc.account_id)
    # P = D = 31; segments Jan 1-20 (d=20) and Jan 21-31 (d=11); C = 310:
    # c1 = ROUND(310*20/31, 4) = 200, c2 = 310 - 200 = 110.
    # v1: U = ROUND(100*20/31, 4) = 64.5161 -> 64.5161 x 0.10 = 6.45; 135.4839 x 0.20 = 27.10;
    #     fixed ROUND(6.20*20/31, 2) = 4.00
    # v2: U = ROUND(100*11/31, 4) = 35.4839 -> x 0.20 = 7.10; 74.5161 x 0.30 = 22.35;
    #     fixed ROUND(9.30*11/31, 2) = 3.30
    # tax with the version on be (5%): ROUND(70.30 * 5 / 100, 2) = ROUND(3.515) = 3.52 (half away)
    assert lines(db, b["bill_id"]) == [
        ("energy", D("64.5161"), D("6.45")), ("energy", D("135.4839"), D("27.10")), ("fixed", None, D("4.00")),
        ("energy", D("35.4839"), D("7.10")), ("energy", D("74.5161"), D("22.35")), ("fixed", None, D("3.30")),
        ("tax", None, D("3.52"))]
    assert b["total_amount"] == D("73.82")


def test_account_opened_mid_period(db):
    make_tariff(db, code="RES", versions=[RES])
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-17", initial_read=0)
    read(db, acc, "2026-01-31", 150)
    run_jan(db)
    b = bill_of(db, acc.account_id)
    # bs = Jan 17, D = 15, P = 31: U = ROUND(100*15/31, 4) = 48.3871 -> x 0.12 = 5.81;
    # 101.6129 x 0.18 = 18.29; fixed ROUND(5*15/31, 2) = 2.42; tax ROUND(26.52 * 0.10) = 2.65
    assert b["period_start"] == date(2026, 1, 17) and b["days_billed"] == 15
    assert lines(db, b["bill_id"]) == [("energy", D("48.3871"), D("5.81")),
                                       ("energy", D("101.6129"), D("18.29")),
                                       ("fixed", None, D("2.42")), ("tax", None, D("2.65"))]
    assert b["total_amount"] == D("29.17")
    assert b["rebate_amount"] == D("0.48")  # ROUND(24.10 * 2 / 100) = ROUND(0.482)


def test_rollover(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", dial_digits=4,
                               initial_read=9950)
    assert read(db, acc, "2026-01-31", 30)["consumption_kwh"] == D("80.0000")  # 10000 - 9950 + 30
    run_jan(db)
    b = bill_of(db, acc.account_id)
    assert b["consumption_kwh"] == D("80.0000") and b["energy_charge"] == D("8.00")


def test_multiplier(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", multiplier=40,
                               initial_read=100)
    read(db, acc, "2026-01-31", D("112.50"))
    run_jan(db)
    b = bill_of(db, acc.account_id)
    assert b["consumption_kwh"] == D("500.0000") and b["energy_charge"] == D("50.00")  # 12.5 x 40


def test_several_readings_in_the_window_sum_their_steps(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", dial_digits=4,
                               initial_read=9000)
    read(db, acc, "2026-01-10", 9600)
    read(db, acc, "2026-01-20", 200)    # rollover: 10000 - 9600 + 200 = 600
    read(db, acc, "2026-01-31", 500)
    run_jan(db)
    assert bill_of(db, acc.account_id)["consumption_kwh"] == D("1500.0000")  # 600 + 600 + 300


def test_estimation_then_true_up(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=1000)
    read(db, acc, "2026-01-31", 1310)
    run_jan(db)
    # February, no reading: advance = ROUND(310 * 28 / 31, 2) = 280.00 (avg of the one bill)
    db.call("run_billing", "2026-02-01", "2026-02-28", "2026-03-01", 14, ACTOR)
    feb = bill_of(db, acc.account_id, "2026-02-28")
    assert feb["estimated"] == 1 and feb["consumption_kwh"] == D("280.0000")
    est = db.row("SELECT * FROM meter_reading WHERE read_on = '2026-02-28'")
    assert (est["kind"], est["status"], est["value"], est["source"]) == ("estimated", "accepted", D("1590.00"), "system")
    assert (feb["end_read_on"], feb["end_read_value"]) == (date(2026, 2, 28), D("1590.00"))
    # March, actual 1900: trues up from the estimate: 1900 - 1590 = 310
    read(db, acc, "2026-03-31", 1900)
    db.call("run_billing", "2026-03-01", "2026-03-31", "2026-04-01", 14, ACTOR)
    mar = bill_of(db, acc.account_id, "2026-03-31")
    assert mar["estimated"] == 0 and mar["consumption_kwh"] == D("310.0000")
    total_billed = db.value("SELECT SUM(consumption_kwh) FROM bill WHERE account_id = %s", acc.account_id)
    assert total_billed == D("900.0000")  # everything the meter advanced, billed once


def test_estimate_averages_the_last_three_bills(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2025-10-01", initial_read=0)
    for end, value in [("2025-10-31", 100), ("2025-11-30", 400), ("2025-12-31", 500), ("2026-01-31", 900)]:
        read(db, acc, end, value)
    for start, end, issue in [("2025-10-01", "2025-10-31", "2025-11-01"), ("2025-11-01", "2025-11-30", "2025-12-01"),
                              ("2025-12-01", "2025-12-31", "2026-01-01"), ("2026-01-01", "2026-01-31", "2026-02-01")]:
        db.call("run_billing", start, end, issue, 14, ACTOR)
    db.call("run_billing", "2026-02-01", "2026-02-28", "2026-03-01", 14, ACTOR)
    # last 3 bills: Nov 300/30 d, Dec 100/31 d, Jan 400/31 d -> 800 / 92 days; x 28 = 243.478 -> 243.48
    assert bill_of(db, acc.account_id, "2026-02-28")["consumption_kwh"] == D("243.4800")


def test_estimate_without_history_is_zero(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=77)
    run_jan(db)
    b = bill_of(db, acc.account_id)
    assert b["estimated"] == 1 and b["consumption_kwh"] == 0 and b["end_read_value"] == D("77.00")


def test_high_use_review_then_approval(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2025-12-01", initial_read=0)
    read(db, acc, "2025-12-31", 310)                      # 10 kWh/day, no history: accepted
    run = db.call("run_billing", "2025-12-01", "2025-12-31", "2026-01-01", 14, ACTOR)
    r = read(db, acc, "2026-01-31", 310 + 2000)           # 64.5 kWh/day > 3 x 10: review
    assert r["status"] == "review"
    run = run_jan(db)
    assert (run["bills_created"], run["accounts_skipped"]) == (0, 1)
    ex = db.rows("SELECT code, resolved FROM v_billing_exceptions WHERE run_id = %s", run["run_id"])
    assert ex == [{"code": "READ_NEEDS_REVIEW", "resolved": 0}]
    assert bill_of(db, acc.account_id) is None
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'estimated'") == 0
    db.call("approve_reading", r["reading_id"], "staff:test")
    bill_id = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                      "staff:test")["bill_id"]
    assert bill_of(db, acc.account_id)["bill_id"] == bill_id
    assert bill_of(db, acc.account_id)["consumption_kwh"] == D("2000.0000")
    assert db.value("SELECT resolved FROM v_billing_exceptions WHERE run_id = %s", run["run_id"]) == 1


def test_discounts_valid_on_the_period_end(db):
    make_tariff(db, code="RES", versions=[RES])
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01", initial_read=0)
    give_discount(db, acc.account_id, pct="10", valid_from="2025-12-01")
    give_discount(db, acc.account_id, pct="5", valid_from="2026-01-31")                      # from be: counts
    give_discount(db, acc.account_id, pct="50", valid_from="2025-12-01", valid_to="2026-01-30")  # ended: no
    give_discount(db, acc.account_id, pct="50", valid_from="2026-02-01")                      # later: no
    read(db, acc, "2026-01-31", 250)
    run_jan(db)
    b = bill_of(db, acc.account_id)
    # E = 39.00: -3.90 and -1.95; tax ROUND((39 + 5 - 5.85) * 10 / 100) = ROUND(3.815) = 3.82
    assert lines(db, b["bill_id"])[3:] == [("discount", None, D("-3.90")), ("discount", None, D("-1.95")),
                                           ("tax", None, D("3.82"))]
    assert (b["discount_amount"], b["tax_amount"], b["total_amount"]) == (D("-5.85"), D("3.82"), D("41.97"))


def test_bill_numbers_are_gapless_per_issue_year(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    accs = [make_metered_account(db, tariff_code="FLAT", opened_on="2025-11-01") for _ in range(3)]
    db.call("run_billing", "2025-11-01", "2025-11-30", "2025-12-01", 14, ACTOR)
    db.call("run_billing", "2025-12-01", "2025-12-31", "2026-01-01", 14, ACTOR)
    nos = [r["bill_no"] for r in db.rows("SELECT bill_no FROM bill ORDER BY bill_id")]
    assert nos == ["2025-000001", "2025-000002", "2025-000003", "2026-000001", "2026-000002", "2026-000003"]
    assert len(accs) == 3


@pytest.mark.parametrize("args, errno", [
    (("2026-01-31", "2026-01-01", "2026-02-01", 14), 45040),     # end before start
    (("2026-01-01", "2026-03-04", "2026-03-05", 14), 45040),     # 63 days
    (("2026-01-01", "2026-01-31", "2026-01-30", 14), 45040),     # issued before the period end
    (("2026-01-01", "2026-01-31", "2026-02-01", 0), 45040),      # due days 0
    (("2026-01-01", "2026-01-31", "2026-02-01", 91), 45040),     # due days 91
    ((None, "2026-01-31", "2026-02-01", 14), 45040),
    (("2026-01-01", "2026-01-31", None, 14), 45040),
    (("2026-01-01", "2026-01-31", "2026-02-01", None), 45040),
])
def test_period_errors(db, args, errno):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2025-12-01")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("run_billing", *args, ACTOR)
    assert e.value.errno == errno
    with pytest.raises(DbError) as e:
        db.call("bill_account", acc.account_id, *args, ACTOR)
    assert e.value.errno == errno
    assert db.snapshot() == before


def test_longest_period_issued_the_day_after_it_is_fine(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01")
    r = db.call("run_billing", "2026-01-01", "2026-03-03", "2026-03-04", 90, ACTOR)  # 62 days
    assert r["bills_created"] == 1


@pytest.mark.parametrize("proc", ["run_billing", "bill_account"])
def test_the_period_must_be_over_and_bills_issued_today_or_later(db, proc):
    """billing-rules.md, "The billing period of one account": period_end before today,
    issue_date today or later, else PERIOD_INVALID; today is the session's CURRENT_DATE
    (issue 16, finding 6: a future period stored an estimate dated in the future)."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01")
    head = () if proc == "run_billing" else (acc.account_id,)
    before = db.snapshot()
    with db.at("2026-02-01"):
        for args in [("2026-01-02", "2026-02-01", "2026-02-01"),   # ends today: not over
                     ("2026-01-02", "2026-02-01", "2026-02-02"),   # (issued tomorrow, still)
                     ("2025-12-31", "2026-01-30", "2026-01-31")]:  # issued yesterday
            with pytest.raises(DbError) as e:
                db.call(proc, *head, *args, 14, ACTOR)
            assert e.value.errno == 45040, args
        assert db.snapshot() == before
        # ended yesterday, issued today: billed
        r = db.call(proc, *head, "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
        assert (r["bills_created"] if proc == "run_billing" else r["bill_id"] is not None) == 1
    # later in the real clock: a period ending today or after is refused too
    with db.at(date.today()):
        with pytest.raises(DbError) as e:
            db.call(proc, *head, date.today().replace(day=1), date.today(),
                    date.today() + timedelta(days=1), 14, ACTOR)
        assert e.value.errno == 45040
    # issued later than today is fine (bills dated ahead)
    with db.at("2026-03-01"):
        r = db.call(proc, *head, "2026-02-01", "2026-02-28", "2026-03-05", 14, ACTOR)
        assert (r["bills_created"] if proc == "run_billing" else r["bill_id"] is not None) == 1


def test_bill_account_errors(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2025-12-01")
    before = db.snapshot()
    for account_id, actor, errno in [(999999, ACTOR, 45001), (None, ACTOR, 45002),
                                     (acc.account_id, "", 45002), (acc.account_id, None, 45002)]:
        with pytest.raises(DbError) as e:
            db.call("bill_account", account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14, actor)
        assert e.value.errno == errno
    with pytest.raises(DbError) as e:
        db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, " ")
    assert e.value.errno == 45002
    assert db.snapshot() == before
