"""refund_credit (billing-rules.md, "Refunds"): worked examples, byte-exact keys with replay, the
contract's errors (nothing written on error), reversal refused after a refund, v_refunds,
v_payments.refunded, and a refund racing a payment."""
from datetime import date
from decimal import Decimal as D

import pytest

from helpers.bills import assert_integrity, balance
from helpers.db import DbError
from helpers.factories import make_metered_account, make_tariff
from helpers.races import race

ACTOR = "staff:billadmin"
FLAT = dict(effective_from="2025-01-01", fixed_charge="0", tax_rate_pct="0", late_fee_pct="0",
            early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])


def today(db, day):
    db.execute("SET timestamp = UNIX_TIMESTAMP(%s)", day)


def pay(db, account_id, amount, key, on="2026-03-01"):
    today(db, on)
    return db.call("post_payment", account_id, amount, "cash", f"{on} 00:00:00", key, "staff:test")


def refund(db, account_id, amount, key, method="bank_transfer", actor=ACTOR):
    return db.call("refund_credit", account_id, amount, method, key, actor)


@pytest.fixture
def acc(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    return make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)


def test_refund_after_a_cancel_freed_credit(db, acc):
    """Jan 250 kWh x 0.10 = 25.00, paid by p1 25.00 (02-05); an extra p2 of 10.00 (02-20) is
    credit. Cancel January (03-01): 25.00 credited, p1's 25.00 freed: credit 35.00, balance
    -35.00. Refund 30.00: from p1 (25.00) then p2 (5.00), balance -5.00; p2 keeps 5.00."""
    today(db, "2026-01-31")
    db.call("record_reading", acc.serial, "2026-01-31", 250, "field", "staff:test")
    today(db, "2026-02-01")
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "batch:test")
    jan = db.value("SELECT bill_id FROM bill WHERE account_id = %s", acc.account_id)
    p1 = pay(db, acc.account_id, "25.00", "p1", "2026-02-05")["payment_id"]
    p2 = pay(db, acc.account_id, "10.00", "p2", "2026-02-20")["payment_id"]
    today(db, "2026-03-01")
    assert db.call("cancel_bill", jan, "wrong account", ACTOR)["balance_after"] == D("-35.00")

    today(db, "2026-03-02")
    r = refund(db, acc.account_id, "30.00", "rf-1")
    assert (r["amount"], r["balance_after"], r["replayed"]) == (D("30.00"), D("-5.00"), 0)
    assert db.rows("SELECT payment_id, amount FROM refund_part WHERE refund_id = %s ORDER BY payment_id",
                   r["refund_id"]) == [{"payment_id": p1, "amount": D("25.00")},
                                       {"payment_id": p2, "amount": D("5.00")}]
    assert [(x["payment_id"], x["allocated"], x["refunded"], x["unallocated"]) for x in db.rows(
        "SELECT * FROM v_payments WHERE account_id = %s ORDER BY payment_id", acc.account_id)] == [
        (p1, D("0.00"), D("25.00"), D("0.00")), (p2, D("0.00"), D("5.00"), D("5.00"))]
    assert db.rows("SELECT entry_type, amount, entry_date FROM ledger_entry WHERE refund_id = %s",
                   r["refund_id"]) == [{"entry_type": "refund", "amount": D("30.00"),
                                        "entry_date": date(2026, 3, 2)}]
    v = db.row("SELECT * FROM v_refunds WHERE refund_id = %s", r["refund_id"])
    assert (v["account_id"], v["account_no"], v["amount"], v["method"], v["actor"]) == (
        acc.account_id, acc.account_no, D("30.00"), "bank_transfer", ACTOR)
    assert db.value("SELECT credit FROM v_account_balance WHERE account_id = %s", acc.account_id) == D("5.00")
    assert_integrity(db)

    # above the credit left (5.00): 45024, nothing written
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        refund(db, acc.account_id, "5.01", "rf-2")
    assert e.value.errno == 45024
    assert db.snapshot() == before

    # a payment with refunded money cannot be reversed
    for p in (p1, p2):
        with pytest.raises(DbError) as e:
            db.call("reverse_payment", p, "charge-back", "staff:test")
        assert e.value.errno == 45003
    assert db.snapshot() == before

    # the rest; then the credit is used by the next bill no more
    assert refund(db, acc.account_id, "5.00", "rf-2", method="cheque")["balance_after"] == D("0.00")
    assert balance(db, acc.account_id) == D("0.00")
    assert_integrity(db)


def test_replay_is_byte_exact_and_a_namespace_of_its_own(db, acc):
    pay(db, acc.account_id, "50.00", "AbC")                      # a payment key
    today(db, "2026-03-02")
    first = refund(db, acc.account_id, "10.00", "AbC")           # the same text as a refund key
    assert (first["replayed"], first["balance_after"]) == (0, D("-40.00"))
    again = refund(db, acc.account_id, "10.00", "AbC")
    assert (again["refund_id"], again["amount"], again["replayed"], again["balance_after"]) == (
        first["refund_id"], D("10.00"), 1, D("-40.00"))
    for key in ("abc", "abc ", "abç", "ABC"):                    # four other keys
        assert refund(db, acc.account_id, "1.00", key)["replayed"] == 0
    assert db.value("SELECT COUNT(*) FROM refund") == 5
    # the first answer as it was then, though the balance moved since
    assert balance(db, acc.account_id) == D("-36.00")
    assert refund(db, acc.account_id, "10.00", "AbC") == {**first, "replayed": 1}
    before = db.snapshot()
    with pytest.raises(DbError) as e:                            # same key, other amount
        refund(db, acc.account_id, "9.00", "AbC")
    assert e.value.errno == 45022
    other = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01")
    pay(db, other.account_id, "50.00", "o1")
    today(db, "2026-03-02")
    before = db.snapshot()
    with pytest.raises(DbError) as e:                            # same key, other account
        refund(db, other.account_id, "10.00", "AbC")
    assert e.value.errno == 45022
    assert db.snapshot() == before
    assert_integrity(db)


@pytest.mark.parametrize("account, amount, method, key, actor, errno", [
    ("unknown", "1.00", "cheque", "k", ACTOR, 45001),
    (None, "1.00", "cheque", "k", ACTOR, 45002),       # missing, not unknown
    ("own", "0", "cheque", "k", ACTOR, 45020),
    ("own", "-1.00", "cheque", "k", ACTOR, 45020),
    ("own", "1.001", "cheque", "k", ACTOR, 45020),
    ("own", None, "cheque", "k", ACTOR, 45020),
    ("own", "1000000.01", "cheque", "k", ACTOR, 45020),
    ("own", "abc", "cheque", "k", ACTOR, 45002),                 # not a number (_arg_decimal)
    ("own", "1.00", "cash", "k", ACTOR, 45002),
    ("own", "1.00", "online", "k", ACTOR, 45002),
    ("own", "1.00", "CHEQUE", "k", ACTOR, 45002),                # exactly, lower case
    ("own", "1.00", "cheque ", "k", ACTOR, 45002),
    ("own", "1.00", None, "k", ACTOR, 45002),
    ("own", "1.00", "cheque", "", ACTOR, 45002),
    ("own", "1.00", "cheque", "x" * 101, ACTOR, 45002),
    ("own", "1.00", "cheque", "k", "", 45002),
    ("own", "1.00", "cheque", "k", None, 45002),
    ("own", "20.01", "cheque", "k", ACTOR, 45024),
])
def test_errors_write_nothing(db, acc, account, amount, method, key, actor, errno):
    pay(db, acc.account_id, "20.00", "p")
    today(db, "2026-03-02")
    arg = {"own": acc.account_id, "unknown": acc.account_id + 1000}.get(account, account)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("refund_credit", arg, amount, method, key, actor)
    assert e.value.errno == errno
    assert db.snapshot() == before


def test_no_credit_no_refund(db, acc):
    today(db, "2026-03-02")
    with pytest.raises(DbError) as e:
        refund(db, acc.account_id, "0.01", "k")
    assert e.value.errno == 45024


def test_a_refund_racing_a_payment_loses_no_money(db, connect, acc):
    """20.00 credit. A refund of 20.00 and a payment of 5.00 queue on the account lock: the
    refund takes the 20.00 either way, the 5.00 stays credit; the balance is -5.00."""
    pay(db, acc.account_id, "20.00", "p")
    results = race(db, connect, [
        ("refund_credit", acc.account_id, "20.00", "card", "race-rf", ACTOR),
        ("post_payment", acc.account_id, "5.00", "cash", None, "race-p", "staff:test")],
        [acc.account_id])
    assert not any(isinstance(r, Exception) for r in results), results
    assert balance(db, acc.account_id) == D("-5.00")
    assert db.value("SELECT credit FROM v_account_balance WHERE account_id = %s", acc.account_id) == D("5.00")
    assert_integrity(db)


def test_two_refunds_racing_for_the_same_credit(db, connect, acc):
    """15.00 credit, two refunds of 10.00 with different keys: one is paid, the other is 45024."""
    pay(db, acc.account_id, "15.00", "p")
    results = race(db, connect, [
        ("refund_credit", acc.account_id, "10.00", "card", "r1", ACTOR),
        ("refund_credit", acc.account_id, "10.00", "card", "r2", ACTOR)], [acc.account_id])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and errors[0].errno == 45024, results
    assert balance(db, acc.account_id) == D("-5.00")
    assert_integrity(db)
