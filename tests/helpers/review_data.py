"""Accounts for the billing-run review pages (tests/web/test_bill_review.py and its browser
test), on the real clock: the web app bills last month, issued today.

    from helpers.review_data import make_overdue_accounts, make_review_accounts
    accs = make_review_accounts(db)    # {"high", "low", "est", "review", "first"}: accounts
    accs = make_overdue_accounts(db)   # two accounts with an unpaid bill due long ago
"""
from datetime import timedelta

from helpers.factories import ACTOR, make_metered_account, make_tariff
from helpers.real_clock import real


def make_review_accounts(db):
    """Five accounts: HIGH (2.5 x the previous total), LOW (a fifth of the kWh), estimated (no
    reading this month), one whose reading waits for review (an exception), one first bill."""
    make_tariff(db, code="RES", versions=[{"effective_from": "2000-01-01"}])
    accs = {}
    for name, prev_kwh, now_kwh in (("high", 100, 250), ("low", 100, 20), ("est", 100, None),
                                    ("review", 100, 2000), ("first", None, 50)):
        acc = make_metered_account(db, tariff_code="RES", dial_digits=6,
                                   opened_on=real.before if prev_kwh is not None else real.last,
                                   serial=f"SN-R-{name}")
        value = 0
        if prev_kwh is not None:
            value += prev_kwh
            db.call("record_reading", acc.serial, real.before_end, value, "field", ACTOR)
            assert db.call("bill_account", acc.account_id, real.before, real.before_end,
                           real.before_end + timedelta(days=1), 14, ACTOR)["bill_id"]
        if now_kwh is not None:
            value += now_kwh
            db.call("record_reading", acc.serial, real.last_end - timedelta(days=1), value,
                    "field", ACTOR)
        accs[name] = acc
    return accs


def make_overdue_accounts(db):
    """Two accounts with a bill of early last month, due long ago, unpaid (5 % late fee)."""
    make_tariff(db, code="FEE", versions=[{"effective_from": "2000-01-01",
                                           "fixed_charge": "10.00", "late_fee_pct": "5"}])
    end = real.last + timedelta(days=9)
    accs = []
    for i in (1, 2):
        a = make_metered_account(db, tariff_code="FEE", serial=f"SN-F-{i}", opened_on=real.last)
        with db.at(end + timedelta(days=1)):
            db.call("bill_account", a.account_id, real.last, end, end + timedelta(days=1), 1,
                    ACTOR)
        accs.append(a)
    return accs
