"""Differential test of corrections and refunds: random histories of monthly bills, payments,
cancels with an immediate rebill, and refunds, against the independent model
(tests/helpers/billing_model.py: model_bill for each bill, AccountModel for the money), compared to the
cent after every step, with v_ledger_integrity empty after every step."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.billing_model import AccountModel, Version, model_bill
from helpers.factories import make_metered_account, make_tariff

VERSION = Version(effective_from=date(2025, 1, 1), fixed="5.00", tax_pct="10", early_pct="2",
                  early_days=10, blocks=[(100, "0.12"), (None, "0.18")])
MONTHS = [(date(2026, m, 1), (date(2026, m + 1, 1) - timedelta(days=1))) for m in range(1, 5)]
DUE_DAYS = 14

action = st.one_of(
    st.tuples(st.just("pay"), st.decimals(min_value="0.01", max_value="120.00", places=2)),
    st.tuples(st.just("cancel"), st.just(None)),
    st.tuples(st.just("refund"), st.integers(1, 100)),      # percent of the credit
)
month_plan = st.tuples(
    st.decimals(min_value="0", max_value="400", places=2),  # register advance of the month
    st.lists(st.tuples(st.integers(0, 20), action), max_size=4))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(month_plan, min_size=1, max_size=4))
def test_corrections_match_the_model(db, _tables, plan):
    from helpers.db import truncate_all
    truncate_all(db, _tables)

    def today(d):
        db.execute("SET timestamp = UNIX_TIMESTAMP(%s)", str(d))

    today("2026-01-01")
    make_tariff(db, code="CORR", versions=[dict(
        effective_from=str(VERSION.effective_from), fixed_charge=VERSION.fixed,
        tax_rate_pct=VERSION.tax_pct, late_fee_pct="0", early_pay_pct=VERSION.early_pct,
        early_pay_days=VERSION.early_days, blocks=VERSION.blocks)])
    acc = make_metered_account(db, tariff_code="CORR", opened_on="2026-01-01", initial_read=0,
                               dial_digits=6)
    m = AccountModel()
    register, keys = Decimal(0), 0

    def check():
        sql_bills = db.rows("SELECT total_amount, amount_paid, status FROM v_bill_summary "
                            "WHERE account_id = %s ORDER BY bill_id", acc.account_id)
        want = [(b["total"], b["paid"] if not b["cancelled"] else Decimal("0.00"),
                 "cancelled" if b["cancelled"] else "paid" if b["paid"] >= b["total"]
                 else "open" if b["paid"] == 0 else "partial") for b in m.bills]
        assert [(r["total_amount"], r["amount_paid"], r["status"]) for r in sql_bills] == want
        sql_pay = db.rows("SELECT allocated, refunded, unallocated FROM v_payments "
                          "WHERE account_id = %s ORDER BY payment_id", acc.account_id)
        assert [(r["allocated"], r["refunded"], r["unallocated"]) for r in sql_pay] == \
            [(p["allocated"], p["refunded"], m.credit(p)) for p in m.payments]
        assert db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                        acc.account_id) == m.balance()
        assert db.rows("SELECT * FROM v_ledger_integrity") == []

    for (start, end), (advance, actions) in zip(MONTHS, plan):
        register += advance
        today(end)
        db.call("record_reading", acc.serial, str(end), register, "field", "staff:t")
        # the high-use check may hold a reading for review: approve it (not what is tested here)
        rid = db.value("SELECT reading_id FROM meter_reading WHERE status = 'review'")
        if rid:
            db.call("approve_reading", rid, "staff:t")
        issue = end + timedelta(days=1)
        today(issue)
        r = db.call("run_billing", str(start), str(end), str(issue), DUE_DAYS, "batch:t")
        assert r["bills_created"] == 1
        bill = model_bill(start, end, issue, DUE_DAYS, date(2026, 1, 1), advance, [VERSION])
        m.issue(bill, issue)
        check()
        day = issue
        for offset, (kind, arg) in sorted(actions, key=lambda a: a[0]):
            day = max(day, issue + timedelta(days=offset))
            today(day)
            if kind == "pay":
                keys += 1
                db.call("post_payment", acc.account_id, arg, "cash", f"{day} 00:00:00", f"k{keys}", "staff:t")
                m.pay(arg, day)
            elif kind == "cancel":
                bid = db.value("SELECT MAX(bill_id) FROM bill WHERE cancelled_at IS NULL")
                res = db.call("cancel_bill", bid, "model", "staff:t")
                cancelled = m.cancel_latest(day)
                assert res["amount_credited"] == cancelled["total"]
                assert res["balance_after"] == m.balance()
                got = db.call("bill_account", acc.account_id, str(start), str(end), str(day), DUE_DAYS,
                              "staff:t")
                assert got["bill_id"] is not None
                m.issue(model_bill(start, end, day, DUE_DAYS, date(2026, 1, 1), advance, [VERSION]), day)
            else:
                credit = m.total_credit()
                amount = (credit * arg / 100).quantize(Decimal("0.01"))
                if amount <= 0:
                    continue
                keys += 1
                res = db.call("refund_credit", acc.account_id, amount, "cheque", f"r{keys}", "staff:t")
                m.refund(amount)
                assert res["balance_after"] == m.balance()
            check()
