"""v_receipt and v_receipt_lines: a receipt shows the payment as posted (issue 21, "Receipts");
later events (a new bill that takes the payment's credit, a reversal, another payment) never
change its figures."""
from decimal import Decimal as D

import pytest

from helpers.bills import allocations, assert_integrity
from helpers.factories import ACTOR, make_metered_account, make_tariff


def receipt(db, pid):
    return db.row("SELECT applied, rebate_earned, credit_left, balance_after, status, "
                  "posting_known FROM v_receipt WHERE payment_id = %s", pid)


def lines(db, pid):
    return [(r["bill_id"], r["applied"], r["rebate_earned"]) for r in db.rows(
        "SELECT bill_id, applied, rebate_earned FROM v_receipt_lines WHERE payment_id = %s "
        "ORDER BY bill_id", pid)]


@pytest.fixture
def acc(db):
    tariff = make_tariff(db, versions=[dict(
        effective_from="2026-01-01", fixed_charge="0.00", tax_rate_pct="0", late_fee_pct="0",
        early_pay_pct="2", early_pay_days=10, blocks=[(None, "0.10")])])
    return make_metered_account(db, tariff_code=tariff, opened_on="2026-01-01", initial_read=0)


def bill(db, acc, read_on, value, start, end, issue):
    db.call("record_reading", acc.serial, read_on, value, "field", ACTOR)
    return db.call("bill_account", acc.account_id, start, end, issue, 14, ACTOR)["bill_id"]


def test_receipt_is_frozen_when_the_next_bill_takes_the_credit(db, acc):
    # January: 500 kWh * 0.10 = 50.00, rebate R = 1.00 until 2026-02-11
    b1 = bill(db, acc, "2026-01-31", 500, "2026-01-01", "2026-01-31", "2026-02-01")
    pid = db.call("post_payment", acc.account_id, "80.00", "card", "2026-02-05 10:00:00",
                  "k-receipt", ACTOR)["payment_id"]
    posted = {"applied": D("49.00"), "rebate_earned": D("1.00"), "credit_left": D("31.00"),
              "balance_after": D("-31.00"), "status": "posted", "posting_known": 1}
    assert receipt(db, pid) == posted
    assert lines(db, pid) == [(b1, D("49.00"), D("1.00"))]

    # February: 200 kWh = 20.00 less R 0.40, paid from the credit at issue
    b2 = bill(db, acc, "2026-02-28", 700, "2026-02-01", "2026-02-28", "2026-03-01")
    assert allocations(db, pid) == [(b1, D("49.00")), (b2, D("19.60"))]   # the credit moved
    assert receipt(db, pid) == posted
    assert lines(db, pid) == [(b1, D("49.00"), D("1.00"))]

    # another payment and then a reversal of this one: the figures stay, the status says so
    with db.at("2026-03-05"):
        db.call("post_payment", acc.account_id, "5.00", "cash", None, "k-other", ACTOR)
        db.call("reverse_payment", pid, "cheque bounced", ACTOR)
    after = receipt(db, pid)
    assert after == {**posted, "status": "reversed"}
    assert lines(db, pid) == [(b1, D("49.00"), D("1.00"))]
    assert db.row("SELECT reversal_reason, reversed_by FROM v_receipt WHERE payment_id = %s",
                  pid) == {"reversal_reason": "cheque bounced", "reversed_by": ACTOR}
    assert_integrity(db)


def test_partial_payment_and_the_cashier(db, acc):
    b1 = bill(db, acc, "2026-01-31", 500, "2026-01-01", "2026-01-31", "2026-02-01")
    pid = db.call("post_payment", acc.account_id, "20.00", "cash", "2026-02-20 10:00:00",
                  None, "staff:alice")["payment_id"]
    assert receipt(db, pid) == {"applied": D("20.00"), "rebate_earned": D("0.00"),
                                "credit_left": D("0.00"), "balance_after": D("30.00"),
                                "status": "posted", "posting_known": 1}
    assert lines(db, pid) == [(b1, D("20.00"), D("0.00"))]
    row = db.row("SELECT posted_by, account_no, receipt_no FROM v_receipt WHERE payment_id = %s",
                 pid)
    assert row["posted_by"] == "staff:alice" and row["account_no"] == acc.account_no


def test_a_payment_on_an_account_with_nothing_open_is_all_credit(db, acc):
    pid = db.call("post_payment", acc.account_id, "12.34", "online", "2026-01-10 09:00:00",
                  None, ACTOR)["payment_id"]
    assert receipt(db, pid) == {"applied": D("0.00"), "rebate_earned": D("0.00"),
                                "credit_left": D("12.34"), "balance_after": D("-12.34"),
                                "status": "posted", "posting_known": 1}
    assert lines(db, pid) == []


def test_a_replay_writes_no_second_posting(db, acc):
    first = db.call("post_payment", acc.account_id, "10.00", "cash", None, "k-replay", ACTOR)
    again = db.call("post_payment", acc.account_id, "10.00", "cash", None, "k-replay", ACTOR)
    assert again["replayed"] == 1
    assert db.value("SELECT COUNT(*) FROM payment_posting WHERE payment_id = %s",
                    first["payment_id"]) == 1
