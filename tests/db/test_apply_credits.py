"""_apply_credits (the billing chunk's credit at issue, set-based) ends exactly as the payment by
payment loop it replaced: _allocate_payment for each credit payment of the chunk's accounts, by
account and payment id. Differential on random accounts (several credit payments, several open
bills, rebates available or not on the issue date), in one transaction each, rolled back."""
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.bills import make_bill
from helpers.db import truncate_all
from helpers.factories import ACTOR, make_metered_account

CLOCK = "2026-03-01 12:00:00"
ON = "2026-02-20"

account_spec = st.fixed_dictionaries({
    "credits": st.lists(st.sampled_from(["5.00", "20.00", "47.50", "100.00", "0.01"]), max_size=3),
    "bills": st.lists(st.tuples(st.sampled_from(["40.00", "50.00", "75.25", "10.00"]),
                                st.sampled_from(["0", "2.00", "5.00"]),
                                st.sampled_from(["2026-02-25", "2026-02-10"])), max_size=3),
    "billed": st.booleans()})


def build(db, specs):
    db.set_clock(CLOCK)
    ids = []
    for spec in specs:
        acc = make_metered_account(db).account_id
        for k, amount in enumerate(spec["credits"]):
            db.call("post_payment", acc, amount, "bank_transfer", f"2026-01-1{k} 09:00:00", None,
                    ACTOR)
        for j, (total, rebate, rebate_date) in enumerate(spec["bills"]):
            make_bill(db, acc, total, f"2026-02-{10 + 5 * j:02d}", issue_date="2026-01-31",
                      period_end=f"2026-01-{30 - j:02d}", tax="0.00", rebate_amount=rebate,
                      rebate_date=rebate_date if D(rebate) else None)
        ids.append((acc, spec["billed"]))
    return ids


def state(db):
    return {
        "allocation": db.rows("SELECT payment_id, bill_id, amount FROM payment_allocation "
                              "ORDER BY allocation_id"),
        "bill": db.rows("SELECT bill_id, total_amount, amount_paid, rebate_granted FROM bill "
                        "ORDER BY bill_id"),
        "bill_line": db.rows("SELECT bill_id, line_no, kind, amount FROM bill_line "
                             "ORDER BY bill_id, line_no"),
        "ledger": db.rows("SELECT account_id, entry_type, amount, bill_id, entry_date, actor "
                          "FROM ledger_entry ORDER BY entry_id"),
        "payment": db.rows("SELECT payment_id, amount_allocated FROM payment "
                           "ORDER BY payment_id"),
        "integrity": db.rows("SELECT * FROM v_ledger_integrity"),
    }


def chunk(db, ids):
    """The chunk's accounts as _store_bills leaves them: billed ones without an exception."""
    db.execute("DROP TEMPORARY TABLE IF EXISTS bc_acct")
    db.execute("CREATE TEMPORARY TABLE bc_acct (account_id INT UNSIGNED NOT NULL PRIMARY KEY, "
               "exception_code VARCHAR(30) NULL) ENGINE=MEMORY")
    for acc, billed in ids:
        db.execute("INSERT INTO bc_acct VALUES (%s, %s)", acc, None if billed else "NO_READING")


def lock(db, ids):
    for acc, _ in sorted(ids):
        db.rows("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE", acc)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(account_spec, min_size=1, max_size=4))
def test_set_based_credit_equals_payment_by_payment(db, _tables, specs):
    truncate_all(db, _tables)
    ids = build(db, specs)
    chunk(db, ids)

    db.execute("START TRANSACTION")
    lock(db, ids)
    db.call_rows("_apply_credits", ON, ACTOR)
    got = state(db)
    db.execute("ROLLBACK")

    db.execute("START TRANSACTION")
    lock(db, ids)
    payments = db.rows(
        "SELECT p.payment_id FROM bc_acct t JOIN payment p ON p.credit_account_id = t.account_id "
        "WHERE t.exception_code IS NULL ORDER BY p.account_id, p.payment_id")
    for p in payments:
        db.call_rows("_allocate_payment", p["payment_id"], ON, ACTOR)
    want = state(db)
    db.execute("ROLLBACK")

    assert got["integrity"] == []
    # allocation ids are compared by order (a multi-row INSERT may leave AUTO_INCREMENT gaps)
    assert got == want
