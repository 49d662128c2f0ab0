"""preview_payment (not in the contract; the portal's pay form): what post_payment would
allocate and leave as credit, and the rebates it would earn, read without writing anything.
Compared with post_payment itself on the same account."""
from decimal import Decimal as D

import pytest

from helpers.bills import make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account

CLOCK = "2026-02-20 12:00:00"


@pytest.mark.parametrize("amount", ["0.01", "30.00", "45.00", "95.00", "104.99", "105.00",
                                    "140.00", "1000.00"])
def test_the_preview_is_what_posting_does(db, amount):
    db.set_clock(CLOCK)
    acc = make_metered_account(db).account_id
    make_bill(db, acc, "50.00", "2026-02-10", issue_date="2026-01-31", period_end="2026-01-29",
              tax="0.00")
    make_bill(db, acc, "60.00", "2026-02-28", issue_date="2026-01-31", period_end="2026-01-30",
              tax="0.00", rebate_amount="5.00", rebate_date="2026-02-25")
    before = db.value("SELECT COUNT(*) FROM audit_log")
    p = db.call("preview_payment", acc, amount, ACTOR)
    assert db.value("SELECT COUNT(*) FROM audit_log") == before      # nothing written
    r = db.call("post_payment", acc, amount, "cash", None, f"pp-{amount}", ACTOR)
    assert (p["account_id"], p["amount"]) == (acc, D(amount))
    assert (p["allocated"], p["credit"]) == (r["allocated"], r["unallocated"])
    assert p["rebates"] == db.value("SELECT COUNT(*) FROM bill_line l JOIN bill b "
                                    "ON b.bill_id = l.bill_id WHERE b.account_id = %s "
                                    "AND l.kind = 'rebate'", acc)


def test_nothing_open_is_all_credit_and_errors(db):
    db.set_clock(CLOCK)
    acc = make_metered_account(db).account_id
    assert db.call("preview_payment", acc, "12.50", ACTOR) == {
        "account_id": acc, "amount": D("12.50"), "allocated": D("0.00"), "credit": D("12.50"),
        "rebates": 0}
    for args, errno in [((acc, "0", ACTOR), 45020), ((acc, "1.005", ACTOR), 45020),
                        ((acc, "abc", ACTOR), 45002), ((4000000000, "1.00", ACTOR), 45001),
                        ((acc, "1.00", " "), 45002)]:
        with pytest.raises(DbError) as e:
            db.call("preview_payment", *args)
        assert e.value.errno == errno
