"""apply_late_fees(as_of, actor): a late fee once per bill, only after the due date, on the money
still open, ROUND(open * late_fee_pct / 100, 2) half away from zero with the version in force on
the bill's period end; a bill line, the bill's total and a ledger debit."""
import threading
import time
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import make_metered_account, make_tariff, make_tariff_version

ACTOR = "staff:test"
BATCH = "batch:late_fees"

# Bills of January 2026, issued 2026-02-01, due 14 days later.
DUE = "2026-02-15"


def tariff(db, late_fee_pct):
    """Energy at 0.10 per kWh, nothing else: a bill's total is kWh / 10."""
    return make_tariff(db, versions=[dict(
        effective_from="2000-01-01", fixed_charge="0.00", tax_rate_pct="0",
        late_fee_pct=late_fee_pct, early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])])


def billed_account(db, t, kwh):
    """An account on tariff t with one bill of January 2026 for kwh kWh (total kwh / 10)."""
    acc = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    db.call("record_reading", acc.serial, "2026-01-31", kwh, "field", ACTOR)
    bill_id = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01",
                      14, ACTOR)["bill_id"]
    assert bill_id is not None
    b = db.row("SELECT due_date, total_amount FROM bill WHERE bill_id = %s", bill_id)
    assert (str(b["due_date"]), b["total_amount"]) == (DUE, Decimal(kwh) / 10)
    acc.bill_id = bill_id
    return acc


@pytest.fixture
def clock(db):
    db.set_clock("2027-01-01 00:00:00")


def fees(db, as_of):
    return db.call("apply_late_fees", as_of, BATCH)


def pay(db, account_id, amount, paid_at, key):
    return db.call("post_payment", account_id, amount, "cash", paid_at, key, ACTOR)


def bill(db, bill_id):
    return db.row("SELECT * FROM bill WHERE bill_id = %s", bill_id)


def late_lines(db, bill_id):
    return db.rows("SELECT line_no, kind, amount, description FROM v_bill_lines "
                   "WHERE bill_id = %s AND kind = 'late_fee'", bill_id)


def late_ledger(db, bill_id=None):
    if bill_id is None:
        return db.rows("SELECT * FROM ledger_entry WHERE entry_type = 'late_fee' ORDER BY entry_id")
    return db.rows("SELECT * FROM ledger_entry WHERE entry_type = 'late_fee' AND bill_id = %s",
                   bill_id)


def test_not_before_nor_on_the_due_date_then_once(db, clock):
    acc = billed_account(db, tariff(db, "0.50"), 1370)          # total 137.00
    before = db.snapshot()
    for as_of in ("2026-02-01", "2026-02-14", DUE):              # due_date < as_of only
        r = fees(db, as_of)
        assert (r["bills_charged"], r["total_fees"]) == (0, Decimal("0.00"))
    # nothing but the three runs' audit rows (late_fees_applied, 0 bills)
    assert db.snapshot() == {**before, "audit_log": before["audit_log"] + 3}

    r = fees(db, "2026-02-16")
    # 137.00 * 0.50 / 100 = 0.685 -> 0.69 (half away from zero; half-even would give 0.68)
    assert (r["bills_charged"], r["total_fees"]) == (1, Decimal("0.69"))
    b = bill(db, acc.bill_id)
    assert (b["total_amount"], b["amount_paid"], b["late_fee_charged"]) == (
        Decimal("137.69"), Decimal("0.00"), 1)
    [line] = late_lines(db, acc.bill_id)
    last = db.value("SELECT MAX(line_no) FROM bill_line WHERE bill_id = %s AND kind <> 'late_fee'",
                    acc.bill_id)
    assert (line["line_no"], line["amount"]) == (last + 1, Decimal("0.69"))
    assert line["description"]
    [led] = late_ledger(db, acc.bill_id)
    assert (led["account_id"], led["amount"], str(led["entry_date"]), led["actor"]) == (
        acc.account_id, Decimal("0.69"), "2026-02-16", BATCH)
    s = db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", acc.bill_id)
    assert (s["late_fee"], s["total_amount"], s["amount_open"], s["status"]) == (
        Decimal("0.69"), Decimal("137.69"), Decimal("137.69"), "open")
    assert db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                    acc.account_id) == Decimal("137.69")
    assert db.rows("SELECT * FROM v_ledger_integrity") == []

    # again, later: nothing is charged twice
    after_first = db.snapshot()
    for as_of in ("2026-02-16", "2026-03-31", "2027-01-01"):
        r = fees(db, as_of)
        assert (r["bills_charged"], r["total_fees"]) == (0, Decimal("0.00"))
    assert db.snapshot() == {**after_first, "audit_log": after_first["audit_log"] + 3}
    assert bill(db, acc.bill_id)["total_amount"] == Decimal("137.69")


def test_amount_rounds_half_away_from_zero(db, clock):
    # (total = open, late_fee_pct, fee): each on its own tariff and account, all in one call
    cases = [
        ("137.00", "0.50", "0.69"),     # 0.685   -> 0.69 (half-even: 0.68)
        ("1.00", "2.50", "0.03"),       # 0.025   -> 0.03 (half-even: 0.02)
        ("50.10", "2.50", "1.25"),      # 1.2525  -> 1.25
        ("33.30", "1.50", "0.50"),      # 0.4995  -> 0.50
        ("10.10", "1.50", "0.15"),      # 0.1515  -> 0.15
        ("0.30", "1.50", None),         # 0.0045  -> 0.00: not above zero, no fee at all
        ("99.90", "100.00", "99.90"),   # 100 %
    ]
    accs = []
    for total, pct, _ in cases:
        accs.append(billed_account(db, tariff(db, pct), int(Decimal(total) * 10)))
    r = fees(db, "2026-03-01")
    charged = [c for c in cases if c[2] is not None]
    assert r["bills_charged"] == len(charged)
    assert r["total_fees"] == sum(Decimal(c[2]) for c in charged)
    for acc, (total, pct, fee) in zip(accs, cases):
        b = bill(db, acc.bill_id)
        if fee is None:
            assert late_lines(db, acc.bill_id) == []
            assert late_ledger(db, acc.bill_id) == []
            assert (b["total_amount"], b["late_fee_charged"]) == (Decimal(total), 0)
        else:
            assert [x["amount"] for x in late_lines(db, acc.bill_id)] == [Decimal(fee)], (total, pct)
            assert [x["amount"] for x in late_ledger(db, acc.bill_id)] == [Decimal(fee)]
            assert b["total_amount"] == Decimal(total) + Decimal(fee)
            assert b["late_fee_charged"] == 1
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_zero_pct_charges_nothing(db, clock):
    acc = billed_account(db, tariff(db, "0"), 1370)
    before = db.snapshot()
    r = fees(db, "2026-06-01")
    assert (r["bills_charged"], r["total_fees"]) == (0, Decimal("0.00"))
    assert db.snapshot() == {**before, "audit_log": before["audit_log"] + 1}   # the run's row
    assert bill(db, acc.bill_id)["late_fee_charged"] == 0


def test_pct_of_the_version_in_force_on_the_period_end(db, clock):
    t = tariff(db, "0.50")
    acc = billed_account(db, t, 1370)
    # a later version (after the billed period) with a much higher late fee
    make_tariff_version(db, t.code, effective_from="2026-02-01", late_fee_pct="10",
                        blocks=[(None, "0.10")])
    r = fees(db, "2026-03-01")
    assert (r["bills_charged"], r["total_fees"]) == (1, Decimal("0.69"))


def test_not_on_a_paid_bill_and_on_the_open_money_of_a_partial_one(db, clock):
    t = tariff(db, "0.50")
    paid = billed_account(db, t, 1370)
    partial = billed_account(db, t, 1370)
    r = pay(db, paid.account_id, "137.00", "2026-02-10 09:00:00", "lf-paid")
    assert r["allocated"] == Decimal("137.00")
    r = pay(db, partial.account_id, "37.00", "2026-02-10 09:00:00", "lf-part")
    assert r["allocated"] == Decimal("37.00")

    r = fees(db, "2026-02-16")
    # only the partial bill: open 100.00 * 0.50 % = 0.50
    assert (r["bills_charged"], r["total_fees"]) == (1, Decimal("0.50"))
    assert late_lines(db, paid.bill_id) == []
    assert bill(db, paid.bill_id)["late_fee_charged"] == 0
    assert [x["amount"] for x in late_lines(db, partial.bill_id)] == [Decimal("0.50")]
    b = bill(db, partial.bill_id)
    assert (b["total_amount"], b["amount_paid"]) == (Decimal("137.50"), Decimal("37.00"))
    assert db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                    partial.account_id) == Decimal("100.50")
    assert db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                    paid.account_id) == Decimal("0.00")
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_not_on_a_cancelled_bill(db, clock):
    # There is no cancel procedure yet: the bill is cancelled as root, as cancel-and-rebill will.
    acc = billed_account(db, tariff(db, "0.50"), 1370)
    db.execute("UPDATE bill SET cancelled_at = '2026-02-05 10:00:00' WHERE bill_id = %s",
               acc.bill_id)
    before = db.snapshot()
    r = fees(db, "2026-03-01")
    assert (r["bills_charged"], r["total_fees"]) == (0, Decimal("0.00"))
    assert db.snapshot() == {**before, "audit_log": before["audit_log"] + 1}   # the run's row


@pytest.mark.parametrize("as_of, actor", [
    (None, BATCH), ("2026-03-01", None), ("2026-03-01", ""), ("2026-03-01", "   ")])
def test_missing_argument_is_45002_and_writes_nothing(db, clock, as_of, actor):
    acc = billed_account(db, tariff(db, "0.50"), 1370)          # an overdue bill is there
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("apply_late_fees", as_of, actor)
    assert e.value.errno == 45002
    assert db.snapshot() == before
    assert bill(db, acc.bill_id)["late_fee_charged"] == 0
    # and the bill is still charged by a correct call afterwards
    assert fees(db, "2026-03-01")["bills_charged"] == 1


def test_as_of_after_today_is_45002_and_today_is_fine(db, clock):
    """billing-rules.md, "Late fees": as_of not after today (issue 16, finding 6: fees as of a
    day to come charged bills not yet due)."""
    acc = billed_account(db, tariff(db, "0.50"), 1370)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        fees(db, "2027-01-02")                                   # tomorrow
    assert e.value.errno == 45002
    assert db.snapshot() == before
    assert fees(db, "2027-01-01")["bills_charged"] == 1          # today
    assert bill(db, acc.bill_id)["late_fee_charged"] == 1


def _wait_for_lock_wait(db, thread_id, what, timeout=5.0):
    """Poll until the connection `thread_id` waits for a row lock. (InnoDB refreshes the
    information_schema.innodb_trx cache only when it was not read for 0.1 s: poll slower.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.15)
        if db.value("SELECT COUNT(*) FROM information_schema.innodb_trx "
                    "WHERE trx_mysql_thread_id = %s AND trx_state = 'LOCK WAIT'", thread_id):
            return
    raise AssertionError(f"{what} never waited for a lock")


def test_no_error_after_the_fees_are_committed(db, clock, connect):
    """A call that has committed its fees must not then fail on a lock. Bill X (0 %, never
    charged, so always 'overdue without a fee') and bill Y (1 %). Deterministic interleaving:
    c3 holds Y, so apply_late_fees (c1) waits while holding X; c2 queues for X; c3 lets go:
    c1 charges Y and commits, c2 gets X. Nothing may make c1 wait for X again. (It used to: a
    leftover locking SELECT of the overdue bills after the COMMIT timed out with 1205.)"""
    x = billed_account(db, tariff(db, "0"), 1000).bill_id
    y = billed_account(db, tariff(db, "1"), 1000).bill_id
    assert x < y
    c1, c2, c3, watch = connect(), connect(), connect(), connect()
    c1.execute("SET innodb_lock_wait_timeout = 2")
    c1_id, c2_id = c1.value("SELECT CONNECTION_ID()"), c2.value("SELECT CONNECTION_ID()")
    out = {}

    def late_fees():
        try:
            out["result"] = c1.call("apply_late_fees", "2026-03-01", BATCH)
        except DbError as exc:
            out["error"] = exc

    def lock_x():
        c2.execute("START TRANSACTION")
        c2.rows("SELECT bill_id FROM bill WHERE bill_id = %s FOR UPDATE", x)

    c3.execute("START TRANSACTION")
    c3.rows("SELECT bill_id FROM bill WHERE bill_id = %s FOR UPDATE", y)
    t1 = threading.Thread(target=late_fees)
    t2 = threading.Thread(target=lock_x)
    try:
        t1.start()
        _wait_for_lock_wait(watch, c1_id, "apply_late_fees")
        t2.start()
        _wait_for_lock_wait(watch, c2_id, "the second locker of bill X")
        c3.execute("COMMIT")
        t1.join(timeout=30)
    finally:
        c3.execute("ROLLBACK")              # (a no-op after the COMMIT)
        if t2.ident is not None:
            t2.join(timeout=30)
        c2.execute("COMMIT")
        t1.join(timeout=30)
    # the fee on Y is committed in any case ...
    assert bill(db, y)["late_fee_charged"] == 1
    # ... so the caller must be told so, not get an error
    assert "error" not in out, out.get("error")
    assert (out["result"]["bills_charged"], out["result"]["total_fees"]) == (1, Decimal("1.00"))
