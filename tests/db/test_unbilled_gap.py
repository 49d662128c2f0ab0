"""UNBILLED_GAP (billing-rules.md, "The billing period of one account"): a considered account with
unbilled days before bs is not billed (nothing stored) until the earlier days are billed; the
check comes before READ_NEEDS_REVIEW and NO_TARIFF."""
from decimal import Decimal as D

from helpers.bills import assert_integrity
from helpers.factories import make_metered_account, make_tariff

FLAT = dict(effective_from="2025-01-01", fixed_charge="0", tax_rate_pct="0", late_fee_pct="0",
            early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])


def today(db, day):
    db.execute("SET timestamp = UNIX_TIMESTAMP(%s)", day)


def read(db, acc, on, value):
    today(db, on)
    return db.call("record_reading", acc.serial, on, value, "field", "staff:test")


def run(db, start, end, issue):
    today(db, issue)
    return db.call("run_billing", start, end, issue, 14, "batch:test")


def bill_account(db, acc, start, end, issue):
    today(db, issue)
    return db.call("bill_account", acc.account_id, start, end, issue, 14, "staff:test")


def codes(db, run_id):
    return [r["code"] for r in db.rows("SELECT code FROM v_billing_exceptions WHERE run_id = %s "
                                       "ORDER BY account_id", run_id)]


def bills(db, acc):
    return [(str(r["period_start"]), str(r["period_end"]), r["consumption_kwh"]) for r in db.rows(
        "SELECT period_start, period_end, consumption_kwh FROM bill WHERE account_id = %s "
        "AND cancelled_at IS NULL ORDER BY period_end", acc.account_id)]


def test_an_account_entered_after_its_first_period_was_run(db):
    """Opened 01-01, first billed in the February run: January is unbilled, so February is
    skipped (nothing stored, no estimate); January by bill_account, then February."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 100)
    read(db, acc, "2026-02-28", 250)
    before = db.snapshot()
    r = run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    assert (r["accounts_considered"], r["bills_created"], r["accounts_skipped"]) == (1, 0, 1)
    assert codes(db, r["run_id"]) == ["UNBILLED_GAP"]
    after = db.snapshot()
    # only the run (its row, its one candidate in its one chunk), its exception and its audit
    # rows (started, finished) are new
    assert {t: n - before[t] for t, n in after.items() if n != before[t]} == {
        "billing_run": 1, "billing_run_candidate": 1, "billing_run_chunk": 1,
        "billing_exception": 1, "audit_log": 2}
    # the earlier days first: 100 kWh, then February's 150 (not 250 as one bill)
    assert bill_account(db, acc, "2026-01-01", "2026-01-31", "2026-03-01")["bill_id"] is not None
    assert run(db, "2026-02-01", "2026-02-28", "2026-03-01")["bills_created"] == 1
    assert bills(db, acc) == [("2026-01-01", "2026-01-31", D("100.0000")),
                              ("2026-02-01", "2026-02-28", D("150.0000"))]
    assert db.value("SELECT resolved FROM v_billing_exceptions WHERE code = 'UNBILLED_GAP'") == 1
    assert_integrity(db)


def test_a_cancelled_bill_not_yet_replaced_blocks_the_next_period(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-31", 100)
    run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    read(db, acc, "2026-02-28", 250)
    run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    feb = db.value("SELECT bill_id FROM bill WHERE period_end = '2026-02-28'")
    today(db, "2026-03-05")
    db.call("cancel_bill", feb, "misread", "staff:billadmin")
    read(db, acc, "2026-03-31", 400)
    r = run(db, "2026-03-01", "2026-03-31", "2026-04-01")
    assert (r["bills_created"], codes(db, r["run_id"])) == (0, ["UNBILLED_GAP"])
    assert db.value("SELECT detail FROM v_billing_exceptions WHERE run_id = %s", r["run_id"]) == \
        "the days from 2026-02-01 to 2026-02-28 are not billed"
    # February again, then March: 150 + 150
    assert run(db, "2026-02-01", "2026-02-28", "2026-04-01")["bills_created"] == 1
    assert run(db, "2026-03-01", "2026-03-31", "2026-04-01")["bills_created"] == 1
    assert bills(db, acc)[1:] == [("2026-02-01", "2026-02-28", D("150.0000")),
                                  ("2026-03-01", "2026-03-31", D("150.0000"))]
    assert_integrity(db)


def test_a_period_skipped_for_review_is_billed_first(db):
    """January's end reading is in review (READ_NEEDS_REVIEW). February is then an UNBILLED_GAP
    (no estimate stored, not billed from the initial read); once January is approved and billed
    (C = 10 + 10 + 480 = 500), February is estimated from it: ROUND(500 * 28 / 31, 2) = 451.61."""
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-01-10", 10)
    read(db, acc, "2026-01-20", 20)
    jan = read(db, acc, "2026-01-31", 500)                 # 48 kWh/day after 1: review
    assert jan["status"] == "review"
    r = run(db, "2026-01-01", "2026-01-31", "2026-02-01")
    assert codes(db, r["run_id"]) == ["READ_NEEDS_REVIEW"]
    r = run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    assert codes(db, r["run_id"]) == ["UNBILLED_GAP"]
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'estimated'") == 0
    today(db, "2026-03-01")
    db.call("approve_reading", jan["reading_id"], "staff:test")
    assert bill_account(db, acc, "2026-01-01", "2026-01-31", "2026-03-01")["bill_id"] is not None
    assert run(db, "2026-02-01", "2026-02-28", "2026-03-01")["bills_created"] == 1
    assert [b[2] for b in bills(db, acc)] == [D("500.0000"), D("451.6100")]
    assert_integrity(db)


def test_no_tariff_comes_after_the_gap(db):
    """A tariff in force from 02-15 only: February is a gap first (January unbilled), January
    itself has no tariff."""
    late = make_tariff(db, code="LATE", versions=[dict(FLAT, effective_from="2026-02-15")])
    acc = make_metered_account(db, tariff_code=late, opened_on="2026-01-01", initial_read=0)
    read(db, acc, "2026-02-28", 100)
    r = run(db, "2026-02-01", "2026-02-28", "2026-03-01")
    assert codes(db, r["run_id"]) == ["UNBILLED_GAP"]
    r = run(db, "2026-01-01", "2026-01-31", "2026-03-01")
    assert codes(db, r["run_id"]) == ["NO_TARIFF"]


def test_an_account_opened_inside_the_period_is_no_gap(db):
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-17", initial_read=0)
    read(db, acc, "2026-01-31", 100)
    assert run(db, "2026-01-01", "2026-01-31", "2026-02-01")["bills_created"] == 1
    assert bills(db, acc) == [("2026-01-17", "2026-01-31", D("100.0000"))]
