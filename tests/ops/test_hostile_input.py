"""Hostile input against every procedure of the contract (hypothesis).

Each example calls one procedure with its arguments drawn from a valid baseline and from hostile
values: wrong types (text where numbers go, numbers where dates go), NULLs, empty and
10,000-character strings, unicode (emoji, right-to-left, NUL), SQL metacharacters, dates far in
the past and future and no calendar day, huge and tiny numbers. Every call ends in success or a
contract error number, never a raw server error (1292, 1264, 1265, 1366, 1406, 4025, 1048, ...);
an error writes nothing (row counts of every table unchanged); the ledger invariants hold after
all of it.

Not sent: float NaN and infinity (mysqlclient writes them as the bare words nan/inf, which the
server reads as column names: a client-side syntax error, before any procedure runs).
"""
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.db import DbError
from helpers.factories import make_discount, make_metered_account, make_tariff

CONTRACT_ERRNOS = {45001, 45002, 45003, 45010, 45011, 45020, 45021, 45022, 45023, 45024, 45030,
                   45031, 45040, 45050, 45060}
A = "staff:hostile"
BLOCKS = '[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.18}]'

HOSTILE = [
    None, "", " ", "x" * 10000, "é" * 10000, "🙂" * 10000, "abc", "12abc", "0x1F", "NULL",
    "🙂", "\u202eevil\u202c", "שלום עולם", "a\x00b", "\x00", "'; DROP TABLE bill; --",
    "\" OR 1=1 --", "\\", "%", "_", "`", "*/", "1; CALL run_billing", "\n5", "5\n",
    1e30, -1e30, 1e-30, 0.001, -0.001, 0.1 + 0.2, 0, -1, 1, 2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64,
    -(2 ** 63), 10 ** 30, -(10 ** 30), Decimal("1e30"), Decimal("-1e-30"), Decimal("0.001"),
    Decimal("1000000.01"), Decimal("99999999999999.9999999"), True,
    "1e30", "-1e30", "1e-30", "0.001", "+5", "-0", "1.", ".5", "١٢٣",
    "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "2026-00-10", "2026-1-5",
    "2026-01-01 25:00:00", "2026-01-01 10:00:00.123456", "0000-00-00", "1899-12-31",
    date(1, 1, 1), date(9999, 12, 31), date(2026, 2, 28), datetime(9999, 12, 31, 23, 59, 59),
    datetime(1, 1, 1), 20260101,
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(),
)

PROCEDURES = ["create_customer", "update_customer", "open_account", "close_account",
              "create_tariff", "add_tariff_version", "create_discount", "assign_discount",
              "install_meter", "record_reading", "approve_reading", "reject_reading",
              "run_billing", "bill_account", "apply_late_fees", "post_payment", "reverse_payment",
              "cancel_bill", "refund_credit", "exchange_meter"]


def world(db):
    """A few valid things to aim at; returns the valid baseline arguments of every procedure."""
    make_tariff(db, code="RES")
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01", initial_read=100)
    other = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01", initial_read=100)
    spare = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01").account_id
    make_discount(db, code="SEN")
    reading = db.call("record_reading", acc.serial, "2026-01-31", 200, "field", A)["reading_id"]
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "batch:t")
    payment = db.call("post_payment", acc.account_id, "5.00", "cash", None, "hk-1",
                      A)["payment_id"]
    bill = db.value("SELECT bill_id FROM bill WHERE account_id = %s", acc.account_id)
    db.call("post_payment", spare, "50.00", "cash", None, "hk-credit", A)     # credit to refund
    return {
        "create_customer": ["Ada", "ada@example.org", "+1 555", "1 Main St", A],
        "update_customer": [acc.customer_id, "Ada L", "ada@example.org", None, None, A],
        "open_account": [acc.customer_id, "RES", "2 Side St", "2026-03-01", A],
        "close_account": [other.account_id, "2026-06-30", A],
        "create_tariff": ["NEW", "New tariff", A],
        "add_tariff_version": ["RES", "2026-07-01", "5.00", "10", "1.5", "2", 10, BLOCKS, A],
        "create_discount": ["NEWD", "New discount", "12.5", A],
        "assign_discount": [acc.account_id, "SEN", "2026-02-01", None, A],
        "install_meter": [spare, "SN-HOSTILE", 5, 1, "2026-01-01", 0, A],
        "record_reading": [acc.serial, "2026-02-28", 300, "field", A],
        "approve_reading": [reading, A],
        "reject_reading": [reading, "misread", A],
        "run_billing": ["2026-02-01", "2026-02-28", "2026-03-01", 14, "batch:t"],
        "bill_account": [acc.account_id, "2026-02-01", "2026-02-28", "2026-03-01", 14, A],
        "apply_late_fees": ["2026-03-01", "batch:t"],
        "post_payment": [acc.account_id, "12.34", "card", "2026-02-10 10:00:00", "hk-2", A],
        "reverse_payment": [payment, "bounced", A],
        "cancel_bill": [bill, "misread", A],
        "refund_credit": [spare, "10.00", "cheque", "hr-1", A],
        "exchange_meter": [acc.account_id, "2026-03-15", 350, "SN-XCH", 6, 40, 0, A],
    }


def test_the_list_is_the_contract(db):
    present = {r["n"] for r in db.rows(
        "SELECT routine_name AS n FROM information_schema.routines WHERE routine_schema = "
        "DATABASE() AND routine_type = 'PROCEDURE' AND routine_name NOT LIKE '\\_%%'")}
    assert set(PROCEDURES) <= present


def test_baseline_arguments_are_valid(db):
    base = world(db)
    for proc in PROCEDURES:
        try:
            db.call(proc, *base[proc])
        except DbError as e:               # a conflict with the world is fine, not a raw error
            assert e.errno in CONTRACT_ERRNOS, (proc, e)


@pytest.mark.parametrize("proc", PROCEDURES)
def test_hostile_arguments(db, proc):
    base = world(db)[proc]
    args_strategy = st.tuples(*[st.one_of(st.just(v), st.just(v), hostile) for v in base])
    seen = {"ok": 0, "refused": 0}

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(args=args_strategy)
    def call(args):
        before = db.snapshot()
        try:
            db.call(proc, *args)
            seen["ok"] += 1
        except DbError as e:
            assert e.errno in CONTRACT_ERRNOS, f"{proc}{args!r:.300}: raw server error {e}"
            assert db.snapshot() == before, f"{proc}{args!r:.300} wrote something and failed"
            seen["refused"] += 1

    call()
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
    assert seen["refused"] > 0
