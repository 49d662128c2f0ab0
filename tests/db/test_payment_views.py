"""v_payments, v_collections_daily and receipt_no."""
import datetime as dt
from decimal import Decimal as D

import pytest

from helpers.bills import make_bill
from helpers.factories import ACTOR, make_metered_account


def pay(db, account_id, amount, paid_at, method="cash"):
    return db.call("post_payment", account_id, amount, method, paid_at, None, ACTOR)


@pytest.mark.parametrize("payment_id, posted_at, want", [
    (1, "2026-01-01 00:00:00", "R2026-000000001"),
    (1234, "2026-03-15 10:00:00", "R2026-000001234"),
    (999999999, "2027-12-31 23:59:59", "R2027-999999999"),
    (4294967295, "2030-06-01 00:00:00", "R2030-4294967295"),   # wider ids are kept whole
    (None, "2026-01-01 00:00:00", None),
])
def test_receipt_no(db, payment_id, posted_at, want):
    assert db.value("SELECT receipt_no(%s, %s)", payment_id, posted_at) == want


def test_receipt_numbers_increase_with_posting_order(db):
    acc = make_metered_account(db).account_id
    ids = [pay(db, acc, "1.00", None)["payment_id"] for _ in range(12)]
    receipts = [r["receipt_no"] for r in db.rows(
        "SELECT receipt_no FROM v_payments ORDER BY payment_id")]
    assert receipts == sorted(receipts) and len(set(receipts)) == len(ids) == 12


def test_v_payments(db):
    acc = make_metered_account(db).account_id
    b = make_bill(db, acc, "100.00", "2026-02-15")
    p1 = pay(db, acc, "60.00", "2026-02-01 09:30:00", "card")["payment_id"]
    p2 = pay(db, acc, "70.00", "2026-02-02 10:00:00", "cheque")["payment_id"]
    p3 = pay(db, acc, "5.00", "2026-02-03 11:00:00", "online")["payment_id"]
    db.call("reverse_payment", p3, "charge-back", "staff:bob")
    rows = {r["payment_id"]: r for r in db.rows("SELECT * FROM v_payments")}
    year = db.value("SELECT YEAR(NOW())")
    contract = ["payment_id", "receipt_no", "account_id", "amount", "method", "paid_at",
                "allocated", "unallocated", "status"]
    assert {k: rows[p1][k] for k in contract} == {
        "payment_id": p1, "receipt_no": f"R{year}-{p1:09d}", "account_id": acc,
        "amount": D("60.00"), "method": "card", "paid_at": dt.datetime(2026, 2, 1, 9, 30),
        "allocated": D("60.00"), "unallocated": D("0.00"), "status": "posted"}
    assert {k: rows[p2][k] for k in ("allocated", "unallocated", "status")} == {
        "allocated": D("40.00"), "unallocated": D("30.00"), "status": "posted"}
    assert {k: rows[p3][k] for k in ("allocated", "unallocated", "status", "reversed_by",
                                      "reversal_reason")} == {
        "allocated": D("0.00"), "unallocated": D("0.00"), "status": "reversed",
        "reversed_by": "staff:bob", "reversal_reason": "charge-back"}
    assert rows[p1]["posted_by"] == ACTOR and rows[p1]["reversed_at"] is None
    assert db.value("SELECT amount_paid FROM bill WHERE bill_id = %s", b) == D("100.00")


def test_v_collections_daily_counts_payments_that_stand(db):
    a1 = make_metered_account(db).account_id
    a2 = make_metered_account(db).account_id
    pay(db, a1, "10.00", "2026-02-01 08:00:00", "cash")
    pay(db, a2, "15.50", "2026-02-01 23:59:59", "cash")
    pay(db, a1, "20.00", "2026-02-01 12:00:00", "card")
    bounced = pay(db, a2, "40.00", "2026-02-01 13:00:00", "cheque")["payment_id"]
    pay(db, a1, "7.25", "2026-02-02 00:00:00", "cash")
    db.call("reverse_payment", bounced, "cheque returned unpaid", ACTOR)
    got = [(str(r["day"]), r["method"], r["payments"], r["amount"], r["reversed_payments"],
            r["reversed_amount"])
           for r in db.rows("SELECT * FROM v_collections_daily ORDER BY day, method")]
    assert got == [
        ("2026-02-01", "cash", 2, D("25.50"), 0, D("0.00")),
        ("2026-02-01", "card", 1, D("20.00"), 0, D("0.00")),
        ("2026-02-01", "cheque", 0, D("0.00"), 1, D("40.00")),
        ("2026-02-02", "cash", 1, D("7.25"), 0, D("0.00")),
    ]
