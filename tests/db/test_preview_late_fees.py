"""preview_late_fees(as_of, actor): the bills apply_late_fees would charge and the fee of each,
from the same selection (_late_fee_candidates); read-only, holds nothing up."""
from decimal import Decimal

import pytest

from helpers.db import DbError
from test_late_fees import BATCH, bill, billed_account, clock, fees, pay, tariff  # noqa: F401

ACTOR = "staff:test"


def preview(db, as_of):
    return db.call_rows("preview_late_fees", as_of, ACTOR)


def charged(db):
    """What apply_late_fees charged: (bill_id, fee) by bill, from the ledger."""
    return [(r["bill_id"], r["amount"]) for r in db.rows(
        "SELECT bill_id, amount FROM ledger_entry WHERE entry_type = 'late_fee' ORDER BY bill_id")]


def test_the_preview_is_what_apply_then_charges_and_changes_nothing(db, clock):
    half = tariff(db, "0.50")
    overdue = billed_account(db, half, 1370)                 # 137.00 -> 0.685 -> 0.69
    partial = billed_account(db, half, 1370)                 # 100.00 open -> 0.50
    paid = billed_account(db, half, 1370)                    # paid: nothing
    free = billed_account(db, tariff(db, "0"), 1000)         # 0 %: nothing
    tiny = billed_account(db, tariff(db, "0.01"), 10)        # 1.00 * 0.01 % = 0.0001: nothing
    cancelled = billed_account(db, half, 500)
    db.execute("UPDATE bill SET cancelled_at = '2026-02-05 10:00:00' WHERE bill_id = %s",
               cancelled.bill_id)
    pay(db, partial.account_id, "37.00", "2026-02-10 09:00:00", "plf-part")
    pay(db, paid.account_id, "137.00", "2026-02-10 09:00:00", "plf-paid")

    before = db.snapshot()
    assert preview(db, "2026-02-15") == []                   # on the due date: none yet
    rows = preview(db, "2026-02-16")
    assert db.snapshot() == before                           # read-only: not even an audit row
    assert [(r["bill_id"], r["open"], r["pct"], r["fee"]) for r in rows] == [
        (overdue.bill_id, Decimal("137.00"), Decimal("0.50"), Decimal("0.69")),
        (partial.bill_id, Decimal("100.00"), Decimal("0.50"), Decimal("0.50"))]
    first = rows[0]
    assert (first["account_no"], first["account_id"], str(first["due_date"])) == (
        overdue.account_no, overdue.account_id, "2026-02-15")
    assert first["bill_no"] == bill(db, overdue.bill_id)["bill_no"] and first["customer_name"]
    assert {free.bill_id, tiny.bill_id, paid.bill_id, cancelled.bill_id}.isdisjoint(
        r["bill_id"] for r in rows)

    r = fees(db, "2026-02-16")
    assert charged(db) == [(x["bill_id"], x["fee"]) for x in rows]
    assert (r["bills_charged"], r["total_fees"]) == (len(rows), sum(x["fee"] for x in rows))
    assert preview(db, "2026-02-16") == []                   # charged once: nothing left


def test_the_preview_equals_apply_on_random_bills(db, clock):
    """Many bills, various percentages and partial payments: preview then apply, bill by bill."""
    import random
    rnd = random.Random(20)
    pcts = [tariff(db, p) for p in ("0", "0.25", "1", "1.5", "2.75", "5")]
    for i in range(30):
        acc = billed_account(db, rnd.choice(pcts), rnd.randrange(1, 4000))
        total = bill(db, acc.bill_id)["total_amount"]
        if rnd.random() < 0.4 and total > 0:
            part = (total * Decimal(rnd.randrange(0, 101)) / 100).quantize(Decimal("0.01"))
            if part > 0:
                pay(db, acc.account_id, str(part), "2026-02-10 09:00:00", f"plr-{i}")
    rows = preview(db, "2026-03-01")
    assert rows
    fees(db, "2026-03-01")
    assert charged(db) == [(x["bill_id"], x["fee"]) for x in rows]


@pytest.mark.parametrize("as_of, actor", [
    (None, ACTOR), ("2026-03-01", None), ("2026-03-01", "  "), ("2027-01-02", ACTOR),
    ("not a day", ACTOR)])
def test_refusals_are_apply_late_fees_refusals(db, clock, as_of, actor):
    billed_account(db, tariff(db, "0.50"), 1370)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("preview_late_fees", as_of, actor)
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_a_locked_bill_does_not_hold_the_preview_up(db, clock, connect):
    """A payment (or apply_late_fees) holding the account and bill: the preview reads past it."""
    acc = billed_account(db, tariff(db, "1"), 1000)
    holder, asker = connect(), connect()
    asker.execute("SET innodb_lock_wait_timeout = 1")
    holder.execute("START TRANSACTION")
    holder.rows("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE", acc.account_id)
    holder.rows("SELECT bill_id FROM bill WHERE bill_id = %s FOR UPDATE", acc.bill_id)
    try:
        rows = asker.call_rows("preview_late_fees", "2026-03-01", ACTOR)
    finally:
        holder.execute("ROLLBACK")
    assert [(r["bill_id"], r["fee"]) for r in rows] == [(acc.bill_id, Decimal("1.00"))]
    # and the preview left no lock behind: apply charges at once
    asker.execute("SET innodb_lock_wait_timeout = 1")
    assert asker.call("apply_late_fees", "2026-03-01", BATCH)["bills_charged"] == 1
