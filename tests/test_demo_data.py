"""bin/demo-data: loads a year of demo data through the procedures, once."""
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_demo(url, *extra):
    return subprocess.run([sys.executable, str(ROOT / "bin" / "demo-data"), *extra, url],
                          capture_output=True, text=True, timeout=300)


def test_demo_data_loads_a_year_once(db, db_url):
    t0 = time.monotonic()
    out = run_demo(db_url)
    elapsed = time.monotonic() - t0
    assert out.returncode == 0, out.stdout + out.stderr
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
                    "OR DAY(issue_date) <> 1 OR DATEDIFF(due_date, issue_date) <> 14") == 0
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
