"""The billing views of the contract: v_bill_summary, v_aging, v_account_balance and
v_ledger_integrity (which must see a broken invariant and be empty otherwise)."""
import datetime
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import give_discount, make_account, make_metered_account, make_tariff

ACTOR = "staff:test"

SUMMARY_COLUMNS = ["bill_id", "bill_no", "account_id", "account_no", "period_start", "period_end",
                   "issue_date", "due_date", "rebate_date", "consumption_kwh", "energy_charge",
                   "fixed_charge", "discount_amount", "tax_amount", "rebate_amount",
                   "rebate_granted", "late_fee", "total_amount", "amount_paid", "amount_open",
                   "status", "estimated"]
AGING_COLUMNS = ["account_id", "account_no", "not_due", "d1_30", "d31_60", "d61_90", "d90_plus",
                 "total_open"]
BALANCE_COLUMNS = ["account_id", "account_no", "customer_id", "customer_no", "customer_name",
                   "status", "balance", "overdue_amount", "oldest_due_date"]
INTEGRITY_COLUMNS = ["check_name", "account_id", "bill_id", "payment_id", "detail"]

# The tariff of the worked example: fixed 5.00, tax 10 %, late fee 1.5 %, rebate 2 % within
# 10 days, blocks 0-100 at 0.12 and above at 0.18.
EXAMPLE = dict(effective_from="2000-01-01", fixed_charge="5.00", tax_rate_pct="10",
               late_fee_pct="1.5", early_pay_pct="2", early_pay_days=10,
               blocks=[(100, "0.12"), (None, "0.18")])


def set_today(db, day):
    """The session's today is `day`, until its last second (payments made that day are past)."""
    db.set_clock(f"{day} 23:59:59")


def columns(db, view):
    return [r["c"] for r in db.rows(
        "SELECT column_name AS c FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY ordinal_position", view)]


def pay(db, account_id, amount, paid_at, key):
    return db.call("post_payment", account_id, amount, "cash", paid_at, key, ACTOR)


def run(db, start, end, issue, due_days=14):
    return db.call("run_billing", start, end, issue, due_days, ACTOR)


def summary(db, bill_id):
    return db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)


def integrity(db):
    return db.rows("SELECT * FROM v_ledger_integrity ORDER BY check_name, account_id, bill_id")


# ---------------------------------------------------------------- v_bill_summary

def test_bill_summary_with_discount_and_rebate_through_open_partial_paid(db):
    set_today(db, "2027-01-01")
    t = make_tariff(db, versions=[EXAMPLE])
    acc = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    give_discount(db, acc.account_id, valid_from="2026-01-01", pct="10")
    db.call("record_reading", acc.serial, "2026-01-31", 250, "field", ACTOR)
    est = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")   # no reading
    assert run(db, "2026-01-01", "2026-01-31", "2026-02-01")["bills_created"] == 2
    bill_id = db.value("SELECT bill_id FROM bill WHERE account_id = %s", acc.account_id)

    assert columns(db, "v_bill_summary")[:len(SUMMARY_COLUMNS)] == SUMMARY_COLUMNS
    s = summary(db, bill_id)
    # E = 100 x 0.12 + 150 x 0.18 = 12.00 + 27.00 = 39.00; F = 5.00
    # discount = -ROUND(39.00 x 10 / 100, 2) = -3.90
    # T = ROUND((39.00 + 5.00 - 3.90) x 10 / 100, 2) = ROUND(4.010, 2) = 4.01
    # total = 39.00 + 5.00 - 3.90 + 4.01 = 44.11; R = ROUND(39.00 x 2 / 100, 2) = 0.78
    want = {
        "bill_id": bill_id, "bill_no": s["bill_no"], "account_id": acc.account_id,
        "account_no": acc.account_no, "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 1, 31), "issue_date": datetime.date(2026, 2, 1),
        "due_date": datetime.date(2026, 2, 15), "rebate_date": datetime.date(2026, 2, 11),
        "consumption_kwh": Decimal("250.0000"), "energy_charge": Decimal("39.00"),
        "fixed_charge": Decimal("5.00"), "discount_amount": Decimal("-3.90"),
        "tax_amount": Decimal("4.01"), "rebate_amount": Decimal("0.78"), "rebate_granted": 0,
        "late_fee": Decimal("0.00"), "total_amount": Decimal("44.11"),
        "amount_paid": Decimal("0.00"), "amount_open": Decimal("44.11"), "status": "open",
        "estimated": 0}
    assert {k: s[k] for k in SUMMARY_COLUMNS} == want
    assert s["bill_no"] in ("2026-000001", "2026-000002")
    assert (s["customer_id"], s["days_billed"], s["prev_read_value"], s["end_read_value"],
            s["end_read_on"], s["tariff_code"]) == (
        acc.customer_id, 31, Decimal("0.00"), Decimal("250.00"), datetime.date(2026, 1, 31), t.code)
    # the estimated bill of the other account says so
    e = db.row("SELECT * FROM v_bill_summary WHERE account_id = %s", est.account_id)
    assert (e["estimated"], e["consumption_kwh"], e["energy_charge"], e["fixed_charge"],
            e["tax_amount"], e["rebate_amount"], e["rebate_date"], e["total_amount"]) == (
        1, Decimal("0.0000"), Decimal("0.00"), Decimal("5.00"), Decimal("0.50"), Decimal("0.00"),
        datetime.date(2026, 2, 11), Decimal("5.50"))

    # partial: 10.00 within the rebate window does not reach needed (44.11 - 0.78)
    pay(db, acc.account_id, "10.00", "2026-02-05 10:00:00", "v-1")
    s = summary(db, bill_id)
    assert (s["status"], s["amount_paid"], s["amount_open"], s["total_amount"],
            s["rebate_granted"], s["rebate_amount"]) == (
        "partial", Decimal("10.00"), Decimal("34.11"), Decimal("44.11"), 0, Decimal("0.78"))

    # paid: 33.33 on the rebate date brings it to needed: the rebate is granted
    pay(db, acc.account_id, "33.33", "2026-02-11 18:00:00", "v-2")
    s = summary(db, bill_id)
    assert (s["status"], s["amount_paid"], s["amount_open"], s["total_amount"],
            s["rebate_granted"], s["rebate_amount"], s["energy_charge"], s["discount_amount"],
            s["tax_amount"]) == (
        "paid", Decimal("43.33"), Decimal("0.00"), Decimal("43.33"), 1, Decimal("0.78"),
        Decimal("39.00"), Decimal("-3.90"), Decimal("4.01"))
    assert db.rows("SELECT kind, amount FROM v_bill_lines WHERE bill_id = %s AND kind = 'rebate'",
                   bill_id) == [{"kind": "rebate", "amount": Decimal("-0.78")}]
    assert db.value("SELECT SUM(amount) FROM v_bill_lines WHERE bill_id = %s", bill_id) == \
        s["total_amount"]
    assert integrity(db) == []

    # cancelled (no cancel procedure yet: as root, the way cancel-and-rebill will mark it)
    db.execute("UPDATE bill SET cancelled_at = '2026-02-20 10:00:00' WHERE account_id = %s",
               est.account_id)
    assert db.value("SELECT status FROM v_bill_summary WHERE account_id = %s",
                    est.account_id) == "cancelled"


# ---------------------------------------------------------------- v_aging

def _two_bills(db):
    """An account with bills for January (44.11, due 2026-02-15) and February (due 2026-03-15)
    on the example tariff (no discount). Returns (acc, jan bill_id, feb bill_id)."""
    set_today(db, "2027-01-01")
    t = make_tariff(db, versions=[EXAMPLE])
    acc = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    db.call("record_reading", acc.serial, "2026-01-31", 250, "field", ACTOR)
    db.call("record_reading", acc.serial, "2026-02-28", 300, "field", ACTOR)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    jan, feb = [r["bill_id"] for r in db.rows(
        "SELECT bill_id FROM bill WHERE account_id = %s ORDER BY period_end", acc.account_id)]
    return acc, jan, feb


BUCKETS = ["not_due", "d1_30", "d31_60", "d61_90", "d90_plus"]


@pytest.mark.parametrize("days_past_due, bucket", [
    (-1, "not_due"), (0, "not_due"), (1, "d1_30"), (30, "d1_30"), (31, "d31_60"),
    (60, "d31_60"), (61, "d61_90"), (90, "d61_90"), (91, "d90_plus"), (400, "d90_plus")])
def test_aging_bucket_boundaries(db, days_past_due, bucket):
    set_today(db, "2027-01-01")
    t = make_tariff(db, versions=[EXAMPLE])
    acc = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    db.call("record_reading", acc.serial, "2026-01-31", 250, "field", ACTOR)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    # E 39.00 + F 5.00 + T ROUND(4.40, 2) = 48.40, due 2026-02-15
    open_amt = Decimal("48.40")
    set_today(db, datetime.date(2026, 2, 15) + datetime.timedelta(days=days_past_due))
    rows = db.rows("SELECT * FROM v_aging")
    assert columns(db, "v_aging")[:len(AGING_COLUMNS)] == AGING_COLUMNS
    assert len(rows) == 1
    r = rows[0]
    assert (r["account_id"], r["account_no"]) == (acc.account_id, acc.account_no)
    assert {b: r[b] for b in BUCKETS} == {b: (open_amt if b == bucket else 0) for b in BUCKETS}
    assert r["total_open"] == open_amt


def test_aging_sums_bills_and_leaves_out_paid_ones(db):
    acc, jan, feb = _two_bills(db)
    jan_total, feb_total = [db.value("SELECT total_amount FROM bill WHERE bill_id = %s", b)
                            for b in (jan, feb)]
    assert jan_total == Decimal("48.40")
    other = make_metered_account(db, tariff_code=acc.tariff_code, opened_on="2026-03-01")
    set_today(db, "2026-03-20")        # jan: 33 days past due, feb: 5
    [r] = db.rows("SELECT * FROM v_aging")           # the account without bills is not there
    assert (r["not_due"], r["d1_30"], r["d31_60"], r["d61_90"], r["d90_plus"], r["total_open"]) == (
        0, feb_total, jan_total, 0, 0, jan_total + feb_total)
    # a partial payment goes to the oldest bill first
    pay(db, acc.account_id, "40.00", "2026-03-20 09:00:00", "aging-1")
    [r] = db.rows("SELECT * FROM v_aging")
    assert (r["d1_30"], r["d31_60"], r["total_open"]) == (
        feb_total, jan_total - Decimal("40.00"), jan_total + feb_total - Decimal("40.00"))
    # paying everything removes the account from the view
    pay(db, acc.account_id, str(jan_total + feb_total - Decimal("40.00")), "2026-03-20 09:30:00",
        "aging-2")
    assert db.rows("SELECT * FROM v_aging") == []
    assert db.value("SELECT COUNT(*) FROM v_aging WHERE account_id = %s", other.account_id) == 0


# ---------------------------------------------------------------- v_account_balance

def test_account_balance_overdue_and_oldest_due_date(db):
    acc, jan, feb = _two_bills(db)
    jan_total, feb_total = [db.value("SELECT total_amount FROM bill WHERE bill_id = %s", b)
                            for b in (jan, feb)]
    nobill = make_account(db, acc.tariff_code, opened_on="2026-01-01")
    assert columns(db, "v_account_balance")[:len(BALANCE_COLUMNS)] == BALANCE_COLUMNS

    def bal(day, account_id=acc.account_id):
        set_today(db, day)
        return db.row("SELECT * FROM v_account_balance WHERE account_id = %s", account_id)

    r = bal("2026-02-15")                  # jan due today: not overdue yet
    assert (r["balance"], r["overdue_amount"], r["oldest_due_date"]) == (
        jan_total + feb_total, 0, datetime.date(2026, 2, 15))
    assert (r["account_no"], r["customer_id"], r["customer_no"], r["status"]) == (
        acc.account_no, acc.customer_id, acc.customer_no, "open")
    assert r["customer_name"] == db.value("SELECT full_name FROM customer WHERE customer_id = %s",
                                          acc.customer_id)
    r = bal("2026-02-16")
    assert (r["overdue_amount"], r["oldest_due_date"]) == (jan_total, datetime.date(2026, 2, 15))
    r = bal("2026-03-15")                  # feb due today
    assert r["overdue_amount"] == jan_total
    r = bal("2026-03-16")
    assert r["overdue_amount"] == jan_total + feb_total

    r = bal("2026-03-16", nobill)
    assert (r["balance"], r["overdue_amount"], r["oldest_due_date"], r["status"]) == (
        0, 0, None, "open")

    if db.value("SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = "
                "DATABASE() AND routine_name = 'post_payment'"):
        # january paid in full: the oldest due date moves to february's
        pay(db, acc.account_id, str(jan_total), "2026-03-16 09:00:00", "bal-1")
        r = bal("2026-03-16")
        assert (r["balance"], r["overdue_amount"], r["oldest_due_date"]) == (
            feb_total, feb_total, datetime.date(2026, 3, 15))
        # an overpayment: nothing open, nothing overdue, negative balance (credit)
        pay(db, acc.account_id, str(feb_total + Decimal("10.00")), "2026-03-16 10:00:00", "bal-2")
        r = bal("2026-03-16")
        assert (r["balance"], r["overdue_amount"], r["oldest_due_date"]) == (
            Decimal("-10.00"), 0, None)
        assert integrity(db) == []


# ---------------------------------------------------------------- v_ledger_integrity

@pytest.fixture
def books(db):
    """One account with a bill of 48.40 (due 2026-02-15) partly paid (10.00), a late fee on the
    rest, and an overpaid second account (credit 5.00): all invariants hold."""
    set_today(db, "2027-01-01")
    t = make_tariff(db, versions=[EXAMPLE])
    a = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    b = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    db.call("record_reading", a.serial, "2026-01-31", 250, "field", ACTOR)
    db.call("record_reading", b.serial, "2026-01-31", 250, "field", ACTOR)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    bill_a = db.value("SELECT bill_id FROM bill WHERE account_id = %s", a.account_id)
    bill_b = db.value("SELECT bill_id FROM bill WHERE account_id = %s", b.account_id)
    pay_a = pay(db, a.account_id, "10.00", "2026-02-20 09:00:00", "li-a")["payment_id"]
    pay_b = pay(db, b.account_id, "53.40", "2026-02-20 09:00:00", "li-b")["payment_id"]
    db.call("apply_late_fees", "2026-03-01", "batch:test")
    assert columns(db, "v_ledger_integrity")[:len(INTEGRITY_COLUMNS)] == INTEGRITY_COLUMNS
    assert integrity(db) == []
    return dict(a=a.account_id, b=b.account_id, bill_a=bill_a, bill_b=bill_b, pay_a=pay_a,
                pay_b=pay_b)


def _found(db):
    return {(r["check_name"], r["account_id"], r["bill_id"], r["payment_id"])
            for r in integrity(db)}


def test_integrity_amount_paid_changed_by_hand(db, books):
    db.execute("UPDATE bill SET amount_paid = amount_paid + 1.00 WHERE bill_id = %s", books["bill_a"])
    assert _found(db) == {("bill_paid", books["a"], books["bill_a"], None),
                          ("balance", books["a"], None, None)}
    db.execute("UPDATE bill SET amount_paid = amount_paid - 1.00 WHERE bill_id = %s", books["bill_a"])
    assert integrity(db) == []


def test_integrity_total_changed_by_hand(db, books):
    db.execute("UPDATE bill SET total_amount = total_amount + 0.01 WHERE bill_id = %s",
               books["bill_a"])
    assert _found(db) == {("bill_lines", books["a"], books["bill_a"], None),
                          ("bill_ledger", books["a"], books["bill_a"], None),
                          ("balance", books["a"], None, None),
                          # the revenue report's kept figures no longer match the bills either
                          ("report_revenue", None, None, None)}


def test_integrity_stray_ledger_row(db, books):
    db.execute("INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor) "
               "VALUES (%s, 'late_fee', 1.00, %s, '2026-03-02', 'root')", books["b"], books["bill_b"])
    assert _found(db) == {("bill_ledger", books["b"], books["bill_b"], None),
                          ("balance", books["b"], None, None)}


def test_integrity_stray_payment_ledger_row(db, books):
    db.execute("INSERT INTO ledger_entry (account_id, entry_type, amount, payment_id, entry_date, "
               "actor) VALUES (%s, 'payment', -1.00, %s, '2026-03-02', 'root')",
               books["b"], books["pay_b"])
    assert _found(db) == {("payment_ledger", books["b"], None, books["pay_b"]),
                          ("balance", books["b"], None, None)}


def test_integrity_payment_allocated_changed_by_hand(db, books):
    # payment b: 53.40, 48.40 allocated, 5.00 credit
    db.execute("UPDATE payment SET amount_allocated = 50.00 WHERE payment_id = %s", books["pay_b"])
    assert _found(db) == {("payment_allocated", books["b"], None, books["pay_b"]),
                          ("balance", books["b"], None, None)}


def test_integrity_stray_allocation(db, books):
    # money of payment b put on bill a without the caches: paid of a and a's balance are off,
    # payment b's allocations no longer match its amount_allocated
    db.execute("INSERT INTO payment_allocation (payment_id, bill_id, amount) VALUES (%s, %s, -1.00)",
               books["pay_b"], books["bill_a"])
    assert _found(db) == {("bill_paid", books["a"], books["bill_a"], None),
                          ("allocation_sign", books["a"], books["bill_a"], books["pay_b"]),
                          ("payment_allocated", books["b"], None, books["pay_b"])}


def test_integrity_bill_number_gap(db, books):
    db.execute("UPDATE bill SET bill_no = '2026-000009' WHERE bill_id = %s", books["bill_b"])
    rows = integrity(db)
    assert [(r["check_name"], r["account_id"], r["bill_id"], r["payment_id"]) for r in rows] == [
        ("bill_no_gap", None, None, None)]
    assert "2026" in rows[0]["detail"]


def test_integrity_bill_range_cannot_be_broken(db, books):
    # 0 <= paid <= total is also a CHECK of the table: the database refuses the break itself
    with pytest.raises(DbError) as e:
        db.execute("UPDATE bill SET amount_paid = total_amount + 1 WHERE bill_id = %s",
                   books["bill_a"])
    assert e.value.errno in (4025, 3819)
    assert integrity(db) == []
