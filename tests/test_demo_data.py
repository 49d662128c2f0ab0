"""bin/demo-data: loads a year of demo data through the procedures, once.

The data is the `demo` fixture's load (tests/conftest.py), shared with the other tests that read
it: this module's tests run before them (pytest_collection_modifyitems), so they see it as
bin/demo-data left it."""
from helpers.demo import run_demo


def test_demo_data_loads_a_year_once(demo, demo_load, db_url):
    db = demo
    out, elapsed = demo_load
    assert elapsed < 90, f"demo load took {elapsed:.0f} s"

    assert db.value("SELECT COUNT(*) FROM customer") == 300
    accounts = db.value("SELECT COUNT(*) FROM v_account_balance")
    assert 300 < accounts < 330  # a few customers have a second account
    # 12 monthly periods (accounts opened mid-month start their first period later)
    assert db.value("SELECT COUNT(DISTINCT period_end) FROM v_bill_summary WHERE final = 0") == 12
    # one account closed mid-month with its final bill (ends on closed_on), one meter exchange
    # whose month is billed across both meters
    final = db.row("SELECT b.period_end, a.closed_on, b.amount_open FROM v_bill_summary b "
                   "JOIN account a ON a.account_id = b.account_id WHERE b.final = 1")
    assert final["period_end"] == final["closed_on"] and final["period_end"].day == 20
    assert db.value("SELECT COUNT(*) FROM meter_installation WHERE removed_on IS NOT NULL") == 2
    assert db.value("SELECT COUNT(*) FROM audit_log WHERE action = 'meter_exchanged'") == 1
    assert db.value("SELECT COUNT(*) FROM bill b JOIN meter_reading e ON e.reading_id = b.end_reading_id "
                    "JOIN meter_installation i ON i.meter_id = e.meter_id "
                    "WHERE b.prev_read_on < i.installed_on AND i.installed_on > b.period_start") == 1
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE DAY(period_end) = 1 "
                    "OR DATEDIFF(due_date, issue_date) <> 14 "
                    "OR (DAY(issue_date) <> 1 AND replaces_bill_id IS NULL)") == 0
    # one bill cancelled (a credit note) and re-billed for the same period by bill_account, after
    # its misread was rejected and read again; the run of the next period billed it as usual
    cancelled = db.rows("SELECT bill_id, account_id, period_start, period_end, credit_note_no, "
                        "replaced_by_bill_id FROM v_bill_summary WHERE status = 'cancelled'")
    assert len(cancelled) == 1
    c = cancelled[0]
    assert c["credit_note_no"].startswith("CN-") and c["replaced_by_bill_id"] is not None
    new = db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", c["replaced_by_bill_id"])
    assert new["replaces_bill_id"] == c["bill_id"] and new["status"] != "cancelled"
    assert (new["account_id"], new["period_start"], new["period_end"]) == \
        (c["account_id"], c["period_start"], c["period_end"])
    assert new["issue_date"] > new["period_end"] and new["estimated"] == 0
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE account_id = %s "
                    "AND period_start > %s", c["account_id"], c["period_end"]) == 1
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE status = 'rejected'") == 1
    # one refund of unallocated credit; no payment is left with negative credit
    refunds = db.rows("SELECT account_id, amount, method FROM v_refunds")
    assert len(refunds) == 1 and refunds[0]["amount"] > 0
    assert refunds[0]["method"] == "bank_transfer"
    assert db.value("SELECT SUM(refunded) FROM v_payments WHERE account_id = %s",
                    refunds[0]["account_id"]) == refunds[0]["amount"]
    assert db.value("SELECT COUNT(*) FROM v_payments WHERE unallocated < 0") == 0
    assert db.value("SELECT COUNT(DISTINCT tariff_code) FROM v_bill_summary") == 3
    # one RES period is priced by two versions
    assert db.value("SELECT COUNT(DISTINCT tariff_version_id) FROM v_bill_summary "
                    "WHERE tariff_code = 'RES'") == 2
    bills = db.value("SELECT COUNT(*) FROM v_bill_summary")
    assert 0.95 * accounts * 11 < bills <= accounts * 12
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE estimated = 1") > 50
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE discount_amount < 0") > 100
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE late_fee > 0") > 50
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE rebate_granted = 1") > 300
    assert db.value("SELECT COUNT(*) FROM v_bill_summary WHERE status = 'partial'") > 0
    # readings: some went to review and were approved, 2-3 still wait in the last month
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE status = 'accepted' "
                    "AND reviewed_by IS NOT NULL") >= 5
    assert 2 <= db.value("SELECT COUNT(*) FROM meter_reading WHERE status = 'review'") <= 3
    assert db.value("SELECT COUNT(*) FROM v_billing_exceptions "
                    "WHERE code = 'READ_NEEDS_REVIEW'") >= 2
    # payments: every method, over-payments leave credit, reversed cheques
    methods = {r["method"] for r in db.rows("SELECT DISTINCT method FROM v_payments")}
    assert methods == {"online", "card", "cash", "bank_transfer", "cheque"}
    assert db.value("SELECT COUNT(*) FROM v_payments WHERE status = 'posted'") > 3000
    reversed_ = db.rows("SELECT method FROM v_payments WHERE status = 'reversed'")
    assert 1 <= len(reversed_) <= 3 and {r["method"] for r in reversed_} == {"cheque"}
    assert db.value("SELECT COUNT(*) FROM v_account_balance WHERE balance < 0") > 0
    assert db.value("SELECT COUNT(*) FROM v_account_balance WHERE overdue_amount > 0") > 0
    assert db.value("SELECT COUNT(*) FROM audit_log WHERE actor = 'batch:demo'") > 0
    assert db.value("SELECT COUNT(*) FROM v_ledger_integrity") == 0
    assert "total billed" in out.stdout, out.stdout
    print(out.stdout)
    # the session clock was not left behind: nothing is dated after today
    assert db.value("SELECT MAX(paid_at) FROM v_payments") <= db.value("SELECT NOW()")

    before = db.snapshot()
    again = run_demo(db_url)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "demo data already loaded" in again.stdout
    assert db.snapshot() == before
