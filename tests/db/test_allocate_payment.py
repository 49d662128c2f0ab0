"""_allocate_payment: the internal helper that puts a payment's unallocated money on the open
bills, inside its caller's transaction (post_payment, and the billing engine for credit)."""
import datetime as dt
from decimal import Decimal as D

import pytest

from helpers.bills import allocations, assert_integrity, bill_state, make_bill
from helpers.factories import ACTOR, make_metered_account, make_tariff


def credit_payment(db, account_id, amount, paid_at="2026-01-10 09:00:00"):
    """A payment posted while the account has no open bill: all of it is credit."""
    return db.call("post_payment", account_id, amount, "bank_transfer", paid_at, None,
                   ACTOR)["payment_id"]


def allocate(db, payment_id, on, account_id, commit=True):
    """What a caller does: its own transaction, the account and its bills locked, the call."""
    db.execute("START TRANSACTION")
    db.row("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE", account_id)
    db.rows("SELECT bill_id FROM bill WHERE account_id = %s ORDER BY bill_id FOR UPDATE",
            account_id)
    result = db.call_rows("_allocate_payment", payment_id, on, ACTOR)
    db.execute("COMMIT" if commit else "ROLLBACK")
    return result


@pytest.fixture
def acc(db):
    return make_metered_account(db).account_id


def test_credit_goes_to_a_new_bill_with_the_rebate_on_the_given_date(db, acc):
    p = credit_payment(db, acc, "60.00")
    b = make_bill(db, acc, "50.00", "2026-02-15", issue_date="2026-02-01", rebate_amount="1.00",
                  rebate_date="2026-02-11")
    assert allocate(db, p, "2026-02-01", acc) is None          # no result set
    assert allocations(db, p) == [(b, D("49.00"))]
    assert bill_state(db, b) == {"total": D("49.00"), "paid": D("49.00"), "granted": 1}
    assert db.row("SELECT amount_allocated, credit_account_id FROM payment WHERE payment_id = %s",
                  p) == {"amount_allocated": D("49.00"), "credit_account_id": acc}
    assert db.row("SELECT amount, entry_date FROM ledger_entry WHERE entry_type = 'rebate'") == {
        "amount": D("-1.00"), "entry_date": dt.date(2026, 2, 1)}
    assert_integrity(db)


def test_the_date_given_decides_the_rebate(db, acc):
    p = credit_payment(db, acc, "60.00")
    b = make_bill(db, acc, "50.00", "2026-02-15", issue_date="2026-02-01", rebate_amount="1.00",
                  rebate_date="2026-02-11")
    allocate(db, p, "2026-02-12", acc)
    assert bill_state(db, b) == {"total": D("50.00"), "paid": D("50.00"), "granted": 0}
    assert_integrity(db)


def test_no_transaction_control_the_callers_rollback_undoes_everything(db, acc):
    p = credit_payment(db, acc, "60.00")
    make_bill(db, acc, "50.00", "2026-02-15", rebate_amount="1.00", rebate_date="2026-02-11")
    before = db.snapshot()
    allocate(db, p, "2026-02-01", acc, commit=False)
    assert db.snapshot() == before
    assert db.value("SELECT amount_allocated FROM payment WHERE payment_id = %s", p) == D("0.00")


def test_several_credit_payments_in_payment_id_order(db, acc):
    """As the billing engine calls it: once per payment with credit, in payment id order."""
    p1 = credit_payment(db, acc, "30.00")
    p2 = credit_payment(db, acc, "30.00")
    b1 = make_bill(db, acc, "20.00", "2026-02-10")
    b2 = make_bill(db, acc, "25.00", "2026-02-20")
    allocate(db, p1, "2026-02-01", acc)
    allocate(db, p2, "2026-02-01", acc)
    assert allocations(db, p1) == [(b1, D("20.00")), (b2, D("10.00"))]
    assert allocations(db, p2) == [(b2, D("15.00"))]
    assert db.value("SELECT amount - amount_allocated FROM payment WHERE payment_id = %s",
                    p2) == D("15.00")
    assert_integrity(db)


def test_nothing_to_do(db, acc):
    other = make_metered_account(db).account_id
    p = credit_payment(db, acc, "30.00")
    b_other = make_bill(db, other, "20.00", "2026-02-10")      # not this account's bill
    before = db.snapshot()
    allocate(db, p, "2026-02-01", acc)                          # no open bill of its account
    allocate(db, 999999, "2026-02-01", acc)                     # no such payment
    assert db.snapshot() == before
    b = make_bill(db, acc, "20.00", "2026-02-10")
    allocate(db, p, "2026-02-01", acc)
    before = db.snapshot()
    allocate(db, p, "2026-02-01", acc)                          # nothing more it could pay
    assert db.snapshot() == before
    assert bill_state(db, b)["paid"] == D("20.00")
    assert bill_state(db, b_other)["paid"] == D("0.00")
    assert_integrity(db)


def test_the_billing_engine_allocates_credit_to_the_bill_it_issues(db):
    """With the lead's bill_account: credit on the account is allocated at issue, with the
    issue date as the payment date (so the rebate is granted)."""
    tariff = make_tariff(db, versions=[dict(
        effective_from="2026-01-01", fixed_charge="0.00", tax_rate_pct="0", late_fee_pct="0",
        early_pay_pct="2", early_pay_days=10, blocks=[(None, "0.10")])])
    acc = make_metered_account(db, tariff_code=tariff, opened_on="2026-01-01", initial_read=0)
    p = credit_payment(db, acc.account_id, "60.00", paid_at="2026-01-15 09:00:00")
    db.call("record_reading", acc.serial, "2026-01-31", 500, "field", ACTOR)
    b = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                ACTOR)["bill_id"]
    # energy 500 kWh * 0.10 = 50.00; R = 2 % of 50.00 = 1.00, available on the issue date
    assert bill_state(db, b) == {"total": D("49.00"), "paid": D("49.00"), "granted": 1}
    assert allocations(db, p) == [(b, D("49.00"))]
    assert db.call("post_payment", acc.account_id, "1.00", "cash", None, None, ACTOR)[
        "balance_after"] == D("-12.00")
    assert_integrity(db)
