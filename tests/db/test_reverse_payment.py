"""reverse_payment: undoing allocations with rows of the opposite sign, reopening bills, revoking
rebates, reversing once (billing rules, "Payments")."""
import datetime as dt
from decimal import Decimal as D

import pytest

from helpers.bills import allocations, assert_integrity, balance, bill_state, make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account
from helpers.races import race


def pay(db, account_id, amount, paid_at="2026-02-01 10:00:00", key=None):
    return db.call("post_payment", account_id, amount, "cheque", paid_at, key, ACTOR)


@pytest.fixture
def acc(db):
    return make_metered_account(db).account_id


def test_reversal_reopens_the_bills(db, acc):
    b1 = make_bill(db, acc, "50.00", "2026-02-10")
    b2 = make_bill(db, acc, "80.00", "2026-02-20")
    p = pay(db, acc, "70.00")["payment_id"]
    assert allocations(db, p) == [(b1, D("50.00")), (b2, D("20.00"))]
    r = db.call("reverse_payment", p, "cheque returned unpaid", "staff:bob")
    assert r == {"payment_id": p, "balance_after": D("130.00")}
    assert allocations(db, p) == [(b1, D("50.00")), (b2, D("20.00")),
                                  (b1, D("-50.00")), (b2, D("-20.00"))]
    assert bill_state(db, b1) == {"total": D("50.00"), "paid": D("0.00"), "granted": 0}
    assert bill_state(db, b2) == {"total": D("80.00"), "paid": D("0.00"), "granted": 0}
    row = db.row("SELECT status, amount_allocated, reversed_by, reversal_reason, reversed_at, "
                 "credit_account_id FROM payment WHERE payment_id = %s", p)
    assert row["reversed_at"] is not None
    assert {k: v for k, v in row.items() if k != "reversed_at"} == {
        "status": "reversed", "amount_allocated": D("0.00"), "reversed_by": "staff:bob",
        "reversal_reason": "cheque returned unpaid", "credit_account_id": None}
    ledger = db.rows("SELECT entry_type, amount, payment_id, entry_date, actor FROM ledger_entry "
                     "WHERE payment_id = %s ORDER BY entry_id", p)
    today = db.value("SELECT CURRENT_DATE")
    assert [(x["entry_type"], x["amount"], x["entry_date"], x["actor"]) for x in ledger] == [
        ("payment", D("-70.00"), dt.date(2026, 2, 1), ACTOR),
        ("payment_reversal", D("70.00"), today, "staff:bob")]
    assert balance(db, acc) == D("130.00")
    assert_integrity(db)


def test_reversal_of_an_over_payment_takes_the_credit_away(db, acc):
    b = make_bill(db, acc, "40.00", "2026-02-10")
    p = pay(db, acc, "100.00")
    assert p["balance_after"] == D("-60.00")
    r = db.call("reverse_payment", p["payment_id"], "charge-back", ACTOR)
    assert r["balance_after"] == D("40.00")
    assert bill_state(db, b)["paid"] == D("0.00")
    assert db.row("SELECT allocated, unallocated, status FROM v_payments WHERE payment_id = %s",
                  p["payment_id"]) == {"allocated": D("0.00"), "unallocated": D("0.00"),
                                       "status": "reversed"}
    assert_integrity(db)


def test_reversal_of_a_payment_that_was_all_credit(db, acc):
    p = pay(db, acc, "25.00")["payment_id"]
    r = db.call("reverse_payment", p, "charge-back", ACTOR)
    assert r == {"payment_id": p, "balance_after": D("0.00")}
    assert allocations(db, p) == []
    assert_integrity(db)


def test_reversal_revokes_the_rebate(db, acc):
    b = make_bill(db, acc, "110.00", "2026-02-15", tax="10.00", rebate_amount="2.00",
                  rebate_date="2026-02-05")
    p = pay(db, acc, "108.00", paid_at="2026-02-04 09:00:00")["payment_id"]
    assert bill_state(db, b) == {"total": D("108.00"), "paid": D("108.00"), "granted": 1}
    r = db.call("reverse_payment", p, "cheque returned unpaid", ACTOR)
    assert r["balance_after"] == D("110.00")
    assert bill_state(db, b) == {"total": D("110.00"), "paid": D("0.00"), "granted": 0}
    assert [(x["line_no"], x["kind"], x["amount"]) for x in db.rows(
        "SELECT line_no, kind, amount FROM bill_line WHERE bill_id = %s ORDER BY line_no", b)] == [
        (1, "energy", D("100.00")), (2, "tax", D("10.00")), (3, "rebate", D("-2.00")),
        (4, "rebate_revoked", D("2.00"))]
    today = db.value("SELECT CURRENT_DATE")
    assert [(x["entry_type"], x["amount"], x["bill_id"], x["entry_date"]) for x in db.rows(
        "SELECT entry_type, amount, bill_id, entry_date FROM ledger_entry "
        "WHERE entry_type IN ('rebate', 'rebate_revoked') ORDER BY entry_id")] == [
        ("rebate", D("-2.00"), b, dt.date(2026, 2, 4)), ("rebate_revoked", D("2.00"), b, today)]
    assert_integrity(db)
    # paid again on time, the rebate is granted again (a new line after the revocation)
    pay(db, acc, "108.00", paid_at="2026-02-05 09:00:00")
    assert bill_state(db, b) == {"total": D("108.00"), "paid": D("108.00"), "granted": 1}
    assert db.value("SELECT MAX(line_no) FROM bill_line WHERE bill_id = %s", b) == 5
    assert balance(db, acc) == D("0.00")
    assert_integrity(db)


def test_reversing_an_earlier_part_payment_revokes_the_rebate_another_payment_earned(db, acc):
    b = make_bill(db, acc, "110.00", "2026-02-15", rebate_amount="2.00", rebate_date="2026-02-05")
    p1 = pay(db, acc, "60.00", paid_at="2026-02-01 09:00:00")["payment_id"]
    p2 = pay(db, acc, "48.00", paid_at="2026-02-03 09:00:00")["payment_id"]
    assert bill_state(db, b) == {"total": D("108.00"), "paid": D("108.00"), "granted": 1}
    r = db.call("reverse_payment", p1, "cheque returned unpaid", ACTOR)
    assert bill_state(db, b) == {"total": D("110.00"), "paid": D("48.00"), "granted": 0}
    assert r["balance_after"] == D("62.00")
    assert allocations(db, p2) == [(b, D("48.00"))]
    assert_integrity(db)


def test_a_bill_that_loses_no_money_keeps_its_rebate(db, acc):
    b1 = make_bill(db, acc, "55.00", "2026-02-15", rebate_amount="1.00", rebate_date="2026-02-05")
    pay(db, acc, "54.00", paid_at="2026-02-01 09:00:00")
    b2 = make_bill(db, acc, "30.00", "2026-03-15")
    p2 = pay(db, acc, "30.00", paid_at="2026-03-01 09:00:00")["payment_id"]
    db.call("reverse_payment", p2, "charge-back", ACTOR)
    assert bill_state(db, b1) == {"total": D("54.00"), "paid": D("54.00"), "granted": 1}
    assert bill_state(db, b2) == {"total": D("30.00"), "paid": D("0.00"), "granted": 0}
    assert db.value("SELECT COUNT(*) FROM bill_line WHERE kind = 'rebate_revoked'") == 0
    assert_integrity(db)


def test_a_reversed_payment_gets_no_allocation_later(db, acc):
    """The credit of a reversed payment is gone: _allocate_payment leaves it alone."""
    p = pay(db, acc, "20.00")["payment_id"]
    db.call("reverse_payment", p, "charge-back", ACTOR)
    b = make_bill(db, acc, "15.00", "2026-03-15")
    db.execute("START TRANSACTION")
    db.execute("CALL _allocate_payment(%s, '2026-03-01', %s)", p, ACTOR)
    db.execute("COMMIT")
    assert bill_state(db, b)["paid"] == D("0.00")
    assert_integrity(db)


def test_credit_of_other_payments_goes_to_the_reopened_bills(db, acc):
    """Decision (docs/payments.md): after a reversal, credit other payments still carry is
    allocated at once (payment id order, today as the payment date), so open bills and credit
    never stand side by side."""
    b1 = make_bill(db, acc, "100.00", "2026-02-15")
    b2 = make_bill(db, acc, "50.00", "2026-03-15")
    p1 = pay(db, acc, "120.00")["payment_id"]             # b1 100, b2 20
    p2 = pay(db, acc, "40.00")["payment_id"]              # b2 30, credit 10
    p3 = pay(db, acc, "15.00")["payment_id"]              # credit 15
    r = db.call("reverse_payment", p1, "bounced", ACTOR)
    assert r["balance_after"] == D("95.00")               # 150 - 40 - 15
    assert allocations(db, p2) == [(b2, D("30.00")), (b1, D("10.00"))]
    assert allocations(db, p3) == [(b1, D("15.00"))]
    assert bill_state(db, b1)["paid"] == D("25.00")
    assert bill_state(db, b2)["paid"] == D("30.00")
    assert db.value("SELECT COUNT(*) FROM payment WHERE credit_account_id IS NOT NULL") == 0
    assert_integrity(db)


# ---- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("args, errno", [
    (dict(payment=999999), 45001),
    (dict(payment=None), 45002),               # missing, not unknown
    (dict(reason=None), 45002),
    (dict(reason=""), 45002),
    (dict(reason="  "), 45002),
    (dict(actor=None), 45002),
    (dict(actor=""), 45002),
])
def test_invalid_arguments_write_nothing(db, acc, args, errno):
    make_bill(db, acc, "50.00", "2026-02-10")
    p = pay(db, acc, "20.00")["payment_id"]
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("reverse_payment", args.get("payment", p), args.get("reason", "bounced"),
                args.get("actor", ACTOR))
    assert e.value.errno == errno
    assert db.snapshot() == before


def test_a_payment_is_reversed_once(db, acc):
    make_bill(db, acc, "50.00", "2026-02-10", rebate_amount="1.00", rebate_date="2026-02-05")
    p = pay(db, acc, "49.00")["payment_id"]
    db.call("reverse_payment", p, "bounced", ACTOR)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("reverse_payment", p, "bounced again", ACTOR)
    assert e.value.errno == 45023
    assert db.snapshot() == before
    assert db.value("SELECT reversal_reason FROM payment WHERE payment_id = %s", p) == "bounced"


def test_two_racing_reversals_reverse_once(db, acc, connect):
    b = make_bill(db, acc, "110.00", "2026-02-15", rebate_amount="2.00", rebate_date="2026-02-05")
    p = pay(db, acc, "108.00", paid_at="2026-02-04 09:00:00")["payment_id"]
    call = ("reverse_payment", p, "cheque returned unpaid", ACTOR)
    results = race(db, connect, [call, call], [acc])
    errors = [r for r in results if isinstance(r, DbError)]
    done = [r for r in results if not isinstance(r, DbError)]
    assert [e.errno for e in errors] == [45023] and done == [
        {"payment_id": p, "balance_after": D("110.00")}], results
    assert bill_state(db, b) == {"total": D("110.00"), "paid": D("0.00"), "granted": 0}
    assert db.value("SELECT COUNT(*) FROM ledger_entry WHERE entry_type = 'payment_reversal'") == 1
    assert db.value("SELECT COUNT(*) FROM ledger_entry WHERE entry_type = 'rebate_revoked'") == 1
    assert_integrity(db)


def test_reversal_racing_a_payment_on_the_same_account(db, acc, connect):
    b = make_bill(db, acc, "100.00", "2026-02-15")
    p = pay(db, acc, "60.00")["payment_id"]
    results = race(db, connect, [
        ("reverse_payment", p, "bounced", ACTOR),
        ("post_payment", acc, "70.00", "card", "2026-02-02 10:00:00", "k-new", ACTOR)], [acc])
    assert not any(isinstance(r, DbError) for r in results), results
    # whatever the order, the bill ends with the new payment's 70 on it
    assert bill_state(db, b)["paid"] == D("70.00")
    assert balance(db, acc) == D("30.00")
    assert_integrity(db)
