"""cancel_bill (billing-rules.md, "Corrections"): worked examples computed by hand, the contract's
errors (nothing written on error), the estimate voided, rebills recording replaces_bill_id, and a
cancel racing a payment. Every step that bills the past first moves the session clock to the
issue date (`SET timestamp`)."""
from datetime import date
from decimal import Decimal as D

import pytest

from helpers.bills import assert_integrity, balance
from helpers.db import DbError
from helpers.factories import make_metered_account, make_tariff
from helpers.races import race

ACTOR = "staff:billadmin"
RES = dict(effective_from="2025-01-01", fixed_charge="5.00", tax_rate_pct="10", late_fee_pct="2",
           early_pay_pct="2", early_pay_days=10, blocks=[(100, "0.12"), (None, "0.18")])
FLAT = dict(effective_from="2025-01-01", fixed_charge="0", tax_rate_pct="0", late_fee_pct="0",
            early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])


def today(db, day):
    db.execute("SET timestamp = UNIX_TIMESTAMP(%s)", day)


def read(db, acc, on, value):
    today(db, on)
    return db.call("record_reading", acc.serial, on, value, "field", "staff:test")


def run(db, start, end, issue):
    today(db, issue)
    return db.call("run_billing", start, end, issue, 14, "batch:test")


def pay(db, acc, amount, on, key):
    today(db, on)
    return db.call("post_payment", acc.account_id, amount, "card", f"{on} 00:00:00", key, "staff:test")


def cancel(db, bill_id, reason="meter misread", actor=ACTOR):
    return db.call("cancel_bill", bill_id, reason, actor)


def summary(db, bill_id):
    return db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)


def bill_id_of(db, acc, period_end, cancelled=False):
    return db.value("SELECT bill_id FROM bill WHERE account_id = %s AND period_end = %s "
                    "AND (cancelled_at IS NOT NULL) = %s", acc.account_id, period_end, int(cancelled))


@pytest.fixture
def paid_history(db):
    """January paid early (rebate granted), February paid late (late fee), 10.73 credit left.

    Tariff RES: fixed 5.00, tax 10 %, late fee 2 %, rebate 2 % within 10 days, 100 kWh at 0.12
    then 0.18.
    Jan (issued 02-01, due 02-15, rebate date 02-11): 250 kWh -> E 12.00 + 27.00 = 39.00, F 5.00,
      T 4.40, total 48.40, R = 0.78. Paid 47.62 on 02-05 = 48.40 - 0.78: rebate granted, total
      47.62.
    Feb (issued 03-01, due 03-15): 200 kWh -> E 12.00 + 18.00 = 30.00, F 5.00, T 3.50, total
      38.50, R 0.60. Late fee on 03-20: ROUND(38.50 * 2 %) = 0.77, total 39.27. Paid 50.00 on
      03-20: 39.27 to Feb, 10.73 credit.
    Balance: 48.40 - 0.78 - 47.62 + 38.50 + 0.77 - 50.00 = -10.73.
    """
    make_tariff(db, code="RES", versions=[RES])
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 250)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    p1 = pay(db, acc, "47.62", "2026-02-05", "p1")
    read(db, acc, "2026-02-28", 450)
    run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    today(db, "2026-03-20")
    assert db.call("apply_late_fees", "2026-03-20", "batch:test")["total_fees"] == D("0.77")
    p2 = pay(db, acc, "50.00", "2026-03-20", "p2")
    acc.jan, acc.feb = bill_id_of(db, acc, "2026-01-31"), bill_id_of(db, acc, "2026-02-28")
    acc.p1, acc.p2 = p1["payment_id"], p2["payment_id"]
    s = summary(db, acc.jan)
    assert (s["total_amount"], s["amount_paid"], s["rebate_granted"]) == (D("47.62"), D("47.62"), 1)
    s = summary(db, acc.feb)
    assert (s["total_amount"], s["amount_paid"], s["late_fee"]) == (D("39.27"), D("39.27"), D("0.77"))
    assert balance(db, acc.account_id) == D("-10.73")
    assert_integrity(db)
    return acc


def test_cancel_paid_bills_with_rebate_and_late_fee_then_rebill(db, paid_history):
    acc = paid_history
    # January is not the latest bill
    today(db, "2026-03-25")
    with pytest.raises(DbError) as e:
        cancel(db, acc.jan)
    assert e.value.errno == 45050

    # February: 39.27 (after its late fee) credited, p2's 39.27 freed; January is paid, so the
    # credit stays: balance -10.73 - 39.27 = -50.00
    r = cancel(db, acc.feb, "late fee charged on a misread")
    assert r == {"bill_id": acc.feb, "credit_note_no": "CN-2026-000001",
                 "amount_credited": D("39.27"), "balance_after": D("-50.00")}
    s = summary(db, acc.feb)
    assert (s["status"], s["amount_paid"], s["amount_open"], s["total_amount"], s["late_fee"],
            s["credit_note_no"]) == ("cancelled", D("0.00"), D("0.00"), D("39.27"), D("0.77"),
                                     "CN-2026-000001")
    assert s["cancelled_at"] is not None and s["cancelled_by"] == ACTOR
    assert db.rows("SELECT entry_type, amount, entry_date FROM ledger_entry WHERE bill_id = %s "
                   "AND entry_type = 'bill_cancel'", acc.feb) == [
        {"entry_type": "bill_cancel", "amount": D("-39.27"), "entry_date": date(2026, 3, 25)}]
    assert db.rows("SELECT amount FROM payment_allocation WHERE bill_id = %s ORDER BY allocation_id",
                   acc.feb) == [{"amount": D("39.27")}, {"amount": D("-39.27")}]
    assert db.value("SELECT unallocated FROM v_payments WHERE payment_id = %s", acc.p2) == D("50.00")
    assert_integrity(db)

    # already cancelled
    with pytest.raises(DbError) as e:
        cancel(db, acc.feb)
    assert e.value.errno == 45050

    # January now: 47.62 (after its granted rebate) credited, p1's 47.62 freed: balance -97.62
    r = cancel(db, acc.jan, "wrong tariff")
    assert (r["credit_note_no"], r["amount_credited"], r["balance_after"]) == (
        "CN-2026-000002", D("47.62"), D("-97.62"))
    assert db.rows("SELECT * FROM v_account_balance WHERE account_id = %s", acc.account_id)[0][
        "overdue_amount"] == D("0.00")
    assert_integrity(db)

    # Rebill January, issued 03-26 (due 04-09, rebate date 04-05): the same 48.40, R 0.78. p1's
    # 47.62 credit, payment date 03-26 <= 04-05: needed 48.40 - 0.78 = 47.62, rebate granted.
    r = run(db, "2026-01-01", "2026-01-31", "2026-03-26")
    assert (r["bills_created"], r["total_billed"]) == (1, D("48.40"))
    jan2 = bill_id_of(db, acc, "2026-01-31")
    s = summary(db, jan2)
    assert (s["total_amount"], s["amount_paid"], s["rebate_granted"], s["status"], s["replaces_bill_id"]) == (
        D("47.62"), D("47.62"), 1, "paid", acc.jan)
    assert summary(db, acc.jan)["replaced_by_bill_id"] == jan2
    assert balance(db, acc.account_id) == D("-50.00")
    assert_integrity(db)

    # Rebill February (prev value: the rebilled January's 250): 38.50, R 0.60; p2's 50.00:
    # needed 37.90, rebate granted, 12.10 credit left; balance -50.00 + 38.50 - 0.60 = -12.10
    r = run(db, "2026-02-01", "2026-02-28", "2026-03-26")
    assert (r["bills_created"], r["total_billed"]) == (1, D("38.50"))
    feb2 = bill_id_of(db, acc, "2026-02-28")
    s = summary(db, feb2)
    assert (s["total_amount"], s["amount_paid"], s["replaces_bill_id"], s["consumption_kwh"]) == (
        D("37.90"), D("37.90"), acc.feb, D("200.0000"))
    assert balance(db, acc.account_id) == D("-12.10")
    assert db.value("SELECT unallocated FROM v_payments WHERE payment_id = %s", acc.p2) == D("12.10")
    # a run again bills nobody twice
    assert run(db, "2026-02-01", "2026-02-28", "2026-03-26")["bills_created"] == 0
    assert_integrity(db)


def test_freed_credit_goes_to_other_open_bills_today(db):
    """FLAT 0.10/kWh: Jan 25.00 paid by p1, Feb 20.00 paid by p2; p1 bounces, January is open
    again (25.00). Cancel February: 20.00 credited (balance 25.00 - 20.00 = 5.00) and p2's 20.00
    freed goes to January at once: paid 20.00, open 5.00."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 250)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    p1 = pay(db, acc, "25.00", "2026-02-05", "k1")
    read(db, acc, "2026-02-28", 450)
    run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    p2 = pay(db, acc, "20.00", "2026-03-05", "k2")
    jan, feb = bill_id_of(db, acc, "2026-01-31"), bill_id_of(db, acc, "2026-02-28")
    today(db, "2026-03-06")
    db.call("reverse_payment", p1["payment_id"], "cheque bounced", "staff:test")
    assert (summary(db, jan)["status"], summary(db, feb)["status"]) == ("open", "paid")
    today(db, "2026-03-10")
    r = cancel(db, feb)
    assert (r["amount_credited"], r["balance_after"]) == (D("20.00"), D("5.00"))
    s = summary(db, jan)
    assert (s["status"], s["amount_paid"], s["amount_open"]) == ("partial", D("20.00"), D("5.00"))
    assert db.value("SELECT unallocated FROM v_payments WHERE payment_id = %s", p2["payment_id"]) == D("0.00")
    assert db.rows("SELECT bill_id, amount FROM payment_allocation WHERE payment_id = %s "
                   "ORDER BY allocation_id", p2["payment_id"]) == [
        {"bill_id": feb, "amount": D("20.00")}, {"bill_id": feb, "amount": D("-20.00")},
        {"bill_id": jan, "amount": D("20.00")}]
    assert_integrity(db)
    # the rebill of February is open: no credit is left
    run(db, "2026-02-01", "2026-02-28", "2026-03-11")
    feb2 = bill_id_of(db, acc, "2026-02-28")
    assert (summary(db, feb2)["amount_paid"], balance(db, acc.account_id)) == (D("0.00"), D("25.00"))
    assert_integrity(db)


def test_cancel_of_an_estimate_voids_it_and_rebases_the_next_point(db):
    """Jan actual 250; Feb estimated: ROUND(250 * 28 / 31, 2) = 225.81 -> 475.81; March actual 700
    (step 224.19 from the estimate). Cancel Feb: the estimate is void and March's step is 700 - 250
    = 450. The rebill interpolates towards March (an accepted point after be): ROUND(450 * 28 / 59,
    2) = ROUND(213.5593) = 213.56 -> 463.56, and March's step is re-based to 700 - 463.56 = 236.44."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 250)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    feb = bill_id_of(db, acc, "2026-02-28")
    est = db.row("SELECT reading_id, value, status FROM meter_reading WHERE kind = 'estimated'")
    assert (est["value"], est["status"]) == (D("475.81"), "accepted")
    mar = read(db, acc, "2026-03-31", 700)
    assert mar["consumption_kwh"] == D("224.1900")
    today(db, "2026-04-02")
    r = cancel(db, feb, "estimate: customer read 700 on 03-31")
    assert (r["amount_credited"], r["balance_after"]) == (D("22.58"), D("25.00"))
    assert db.value("SELECT status FROM meter_reading WHERE reading_id = %s", est["reading_id"]) == "void"
    assert db.value("SELECT consumption_kwh FROM meter_reading WHERE reading_id = %s",
                    mar["reading_id"]) == D("450.0000")
    assert_integrity(db)
    # Rebill February: no point in the window; interpolated towards March
    run(db, "2026-02-01", "2026-02-28", "2026-04-02")
    feb2 = bill_id_of(db, acc, "2026-02-28")
    s = summary(db, feb2)
    assert (s["estimated"], s["consumption_kwh"], s["end_read_value"], s["replaces_bill_id"]) == (
        1, D("213.5600"), D("463.56"), feb)
    assert db.value("SELECT consumption_kwh FROM meter_reading WHERE reading_id = %s",
                    mar["reading_id"]) == D("236.4400")
    # March then bills 236.44: everything the meter advanced (700) billed once
    run(db, "2026-03-01", "2026-03-31", "2026-04-02")
    assert db.value("SELECT SUM(consumption_kwh) FROM bill WHERE account_id = %s AND cancelled_at IS NULL",
                    acc.account_id) == D("700.0000")
    assert_integrity(db)


def test_voiding_an_estimate_that_would_make_the_next_point_backwards_is_45010(db):
    """A 4-dial meter (capacity 10000). Jan actual 8000; Feb estimate ROUND(8000 * 28 / 31, 2) =
    7225.81 on top of 8000 wraps to 5225.81; March actual 5300. Voiding the estimate would make
    March a step from 8000 to 5300: 10000 - 8000 + 5300 = 7300 > 1000, no rollover: 45010, and
    nothing is cancelled."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0,
                               dial_digits=4)
    read(db, acc, "2026-01-31", 8000)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    assert db.value("SELECT value FROM meter_reading WHERE kind = 'estimated'") == D("5225.81")
    read(db, acc, "2026-03-31", 5300)
    feb = bill_id_of(db, acc, "2026-02-28")
    today(db, "2026-04-02")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        cancel(db, feb)
    assert e.value.errno == 45010
    assert db.snapshot() == before
    assert summary(db, feb)["status"] == "open"


@pytest.mark.parametrize("bill, reason, actor, errno", [
    ("unknown", "r", ACTOR, 45001),
    (None, "r", ACTOR, 45002),                 # missing, not unknown
    ("abc", "r", ACTOR, 45002),
    ("own", "", ACTOR, 45002),
    ("own", "   ", ACTOR, 45002),
    ("own", None, ACTOR, 45002),
    ("own", "x" * 501, ACTOR, 45002),
    ("own", "r", "", 45002),
    ("own", "r", None, 45002),
])
def test_errors_write_nothing(db, bill, reason, actor, errno):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 250)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    own = bill_id_of(db, acc, "2026-01-31")
    arg = {"own": own, "unknown": own + 1000}.get(bill, bill)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("cancel_bill", arg, reason, actor)
    assert e.value.errno == errno
    assert db.snapshot() == before


def test_credit_notes_are_gapless_per_year_of_the_cancel_date(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    accs = [make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01") for _ in range(3)]
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    ids = [bill_id_of(db, a, "2026-01-31") for a in accs]
    today(db, "2026-12-31")
    assert cancel(db, ids[0])["credit_note_no"] == "CN-2026-000001"
    today(db, "2027-01-01")
    assert cancel(db, ids[1])["credit_note_no"] == "CN-2027-000001"
    assert cancel(db, ids[2])["credit_note_no"] == "CN-2027-000002"
    assert_integrity(db)


def test_cancelled_bills_count_nowhere(db, paid_history):
    """A cancelled bill is no overdue money, no aging, no late fee, and no TARIFF_RETROACTIVE."""
    acc = paid_history
    today(db, "2026-03-25")
    cancel(db, acc.feb)
    today(db, "2026-06-01")
    assert db.call("apply_late_fees", "2026-06-01", "batch:test")["bills_charged"] == 0
    assert db.rows("SELECT * FROM v_aging WHERE account_id = %s", acc.account_id) == []
    b = db.row("SELECT * FROM v_account_balance WHERE account_id = %s", acc.account_id)
    assert (b["balance"], b["overdue_amount"], b["credit"]) == (D("-50.00"), D("0.00"), D("50.00"))
    # a tariff version from 02-01 is retroactive only over the bills that count: January's
    with pytest.raises(DbError) as e:
        db.call("add_tariff_version", "RES", "2026-01-31", "5", "10", "2", "2", 10,
                '[{"up_to_kwh": null, "rate": 0.2}]', "staff:test")
    assert e.value.errno == 45030
    r = db.call("add_tariff_version", "RES", "2026-02-01", "5", "10", "2", "2", 10,
                '[{"up_to_kwh": null, "rate": 0.2}]', "staff:test")
    assert r["tariff_version_id"]
    assert_integrity(db)


def test_a_cancel_racing_a_payment_loses_no_money(db, connect):
    """Jan 25.00 open. A payment of 30.00 and the cancel of January queue on the account lock;
    whichever goes first, the ledger balances and nothing deadlocks."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 250)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    jan = bill_id_of(db, acc, "2026-01-31")
    results = race(db, connect, [
        ("post_payment", acc.account_id, "30.00", "card", None, "race-1", "staff:test"),
        ("cancel_bill", jan, "race", ACTOR)], [acc.account_id])
    assert not any(isinstance(r, Exception) for r in results), results
    # either order: the bill is cancelled, the 30.00 is all credit, balance -30.00
    assert balance(db, acc.account_id) == D("-30.00")
    assert db.value("SELECT unallocated FROM v_payments WHERE payment_id = %s",
                    results[0]["payment_id"]) == D("30.00")
    assert_integrity(db)


@pytest.mark.parametrize("first", ["record_reading", "approve_reading"])
def test_a_cancel_queued_behind_a_reading_of_its_meter_does_not_deadlock(db, connect, first):
    """record_reading and approve_reading lock the meter, then read its installation; the cancel
    locked the account's installation rows before its meter (one join FOR UPDATE), so a cancel
    queued behind a reading of the meter deadlocked with it (1213 to one of them; found by a race
    probe). Queued in turn behind a third session's meter lock, both now end."""
    from helpers.races import in_turn
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    for _ in range(30):     # other meters: the join then read the installations first, by account
        make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    db.execute("ANALYZE TABLE meter, meter_installation")
    read(db, acc, "2026-01-31", 250)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    jan = bill_id_of(db, acc, "2026-01-31")
    read(db, acc, "2026-02-10", 260)
    review = read(db, acc, "2026-02-20", 2000)                     # in review (high use)
    assert review["status"] == "review"
    today(db, "2026-03-01")
    reading = (("record_reading", acc.serial, "2026-02-28", 2100, "field", "staff:test")
               if first == "record_reading" else
               ("approve_reading", review["reading_id"], "staff:test"))
    results = in_turn(db, connect, [reading, ("cancel_bill", jan, "race", ACTOR)],
                      "meter", acc.meter_id)
    assert not any(isinstance(r, Exception) for r in results), results
    assert summary(db, jan)["status"] == "cancelled"
    assert_integrity(db)


def test_true_down_an_estimate_through_cancel_reading_and_rebill(db):
    """Jan actual 250; Feb estimated 475.81 (225.81 kWh, 22.58). The customer's actual reading is
    400 on 02-28: refused while the estimate stands (its date is taken; a later 420 is below the
    estimate). Cancel February (estimate void), record 400 on 02-28 (150 kWh from 250), rebill:
    February is 150 kWh = 15.00, not estimated."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 250)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    feb = bill_id_of(db, acc, "2026-02-28")
    today(db, "2026-03-05")
    for on, value, errno in [("2026-02-28", 400, 45011), ("2026-03-05", 420, 45010)]:
        with pytest.raises(DbError) as e:
            db.call("record_reading", acc.serial, on, value, "customer", "customer:x")
        assert e.value.errno == errno
    cancel(db, feb, "estimate too high: customer read 400 on 02-28")
    r = db.call("record_reading", acc.serial, "2026-02-28", 400, "customer", "customer:x")
    assert (r["status"], r["consumption_kwh"]) == ("accepted", D("150.0000"))
    run(db, "2026-02-01", "2026-02-28", "2026-03-05")
    s = summary(db, bill_id_of(db, acc, "2026-02-28"))
    assert (s["estimated"], s["consumption_kwh"], s["total_amount"], s["end_read_value"],
            s["replaces_bill_id"]) == (0, D("150.0000"), D("15.00"), D("400.00"), feb)
    assert balance(db, acc.account_id) == D("40.00")          # 25.00 + 22.58 - 22.58 + 15.00
    assert_integrity(db)


def test_interpolated_estimate_with_a_rollover_and_a_multiplier(db):
    """4-dial meter (capacity 10000), multiplier 2. Jan actual 9800 (bill 1). A reading of 300 on
    03-31 arrives before February is billed: February has no point in its window, so it is
    interpolated towards 03-31: step = 10000 - 9800 + 300 = 500 (a rollover), days 28 of 59:
    ROUND(500 * 28 / 59, 2) = ROUND(237.2881) = 237.29; the estimate is 9800 + 237.29 = 10037.29,
    wrapped to 37.29; C = 237.29 x 2 = 474.58 kWh. March's step is re-based: 300 - 37.29 = 262.71
    register, 525.42 kWh."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=9000,
                               dial_digits=4, multiplier=2)
    read(db, acc, "2026-01-31", 9800)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    mar = read(db, acc, "2026-03-31", 300)
    r = run(db, "2026-02-01", "2026-02-28", "2026-04-01")
    assert r["bills_created"] == 1
    s = summary(db, bill_id_of(db, acc, "2026-02-28"))
    assert (s["estimated"], s["consumption_kwh"], s["end_read_value"]) == (1, D("474.5800"), D("37.29"))
    assert db.value("SELECT consumption_kwh FROM meter_reading WHERE reading_id = %s",
                    mar["reading_id"]) == D("525.4200")
    run(db, "2026-03-01", "2026-03-31", "2026-04-01")
    # everything the meter advanced since the initial read: (10000 - 9000 + 300) x 2 = 2600
    assert db.value("SELECT SUM(consumption_kwh) FROM bill WHERE account_id = %s", acc.account_id) == \
        D("2600.0000")
    assert_integrity(db)


def test_a_rebill_replaces_the_latest_cancelled_bill_by_period_end(db):
    """billing-rules.md, Corrections: the rebill records "the account's latest cancelled bill
    whose period overlaps the new one and that no bill replaces yet"; latest by period_end, as
    cancel_bill orders an account's bills (an outside model found the highest id taken).
    Bills of 1-15 and 16-31 January, both cancelled; 1-15 rebilled and cancelled again; then
    1-31 rebilled: it replaces the bill of 16-31, the one unreplaced bill ending latest."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-15", 100)
    read(db, acc, "2026-01-31", 200)
    first = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-15", "2026-02-01", 14,
                    ACTOR)["bill_id"]
    second = db.call("bill_account", acc.account_id, "2026-01-16", "2026-01-31", "2026-02-01", 14,
                     ACTOR)["bill_id"]
    today(db, "2026-02-02")
    cancel(db, second)
    cancel(db, first)
    third = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-15", "2026-02-02", 14,
                    ACTOR)["bill_id"]
    assert summary(db, third)["replaces_bill_id"] == first
    cancel(db, third)
    fourth = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-02", 14,
                     ACTOR)["bill_id"]
    assert summary(db, fourth)["replaces_bill_id"] == second
    assert_integrity(db)
