"""Back office, billing: a run started in the background with its progress (JSON), the list of
runs with exceptions, re-run, billing one account, late fees; tariffs with the block editor."""
import re
import time

import pytest
from django.urls import reverse

from factories import make_metered_account, make_tariff

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

PERIOD = {"period_start": "2026-01-01", "period_end": "2026-01-31", "issue_date": "2026-02-01",
          "due_days": "14"}


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def accounts(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-B-1",
                             opened_on="2026-01-01")
    b = make_metered_account(billing_db, tariff_code="RES", serial="SN-B-2",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-B-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("record_reading", "SN-B-2", "2026-01-31", 50, "field", "staff:test")
    return a, b


def wait_for_job(client, url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(url).json()
        if data["state"] != "running":
            return data
        time.sleep(0.1)
    raise AssertionError("the billing run did not finish")


def test_a_billing_run_runs_in_the_background_and_reports_progress(billing_admin_client,
                                                                   accounts, billing_db):
    r = billing_admin_client.post(reverse("billing:run_start"), PERIOD)
    assert r.status_code == 302 and r["Location"].startswith("/billing/jobs/")
    page = billing_admin_client.get(r["Location"])
    assert page.status_code == 200 and b"<progress" in page.content
    assert b"/static/billing/progress.js" in page.content
    data = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    run = billing_db.row("SELECT * FROM v_staff_billing_run")
    assert data["state"] == "completed" and data["run_id"] == run["run_id"]
    assert data["accounts_done"] == data["accounts_total"] == 2 == run["accounts_done"]
    assert data["bills_created"] == 2 and data["total_billed"] == str(run["total_billed"])
    assert data["run_url"] == reverse("billing:run_detail", args=[run["run_id"]])
    assert run["started_by"] == "staff:bea" and run["status"] == "completed"
    progress = billing_admin_client.get(reverse("billing:run_progress", args=[run["run_id"]]))
    assert progress.json()["accounts_done"] == 2 and progress.json()["status"] == "completed"
    listing = text(billing_admin_client.get(reverse("billing:run_list")))
    assert "2026-01-01 – 2026-01-31" in listing and str(run["total_billed"]) in listing


def test_an_invalid_period_is_shown_on_the_form_and_nothing_runs(billing_admin_client,
                                                                 accounts, billing_db):
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:run_start"),
                                  {**PERIOD, "issue_date": "2026-01-15"})
    assert r.status_code == 200
    assert "Refused: PERIOD_INVALID" in r.content.decode()
    assert 'id="id_issue_date_error"' in r.content.decode()
    assert billing_db.snapshot() == snapshot


def test_exceptions_are_listed_and_a_rerun_bills_the_rest(billing_admin_client, accounts,
                                                          billing_db):
    a, b = accounts
    billing_db.call("record_reading", "SN-B-2", "2026-02-28", 5000, "field", "staff:test")
    # SN-B-2's January end is fine; make February's run meet a reading in review
    billing_db.call("record_reading", "SN-B-1", "2026-02-28", 200, "field", "staff:test")
    billing_db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:test")
    r = billing_admin_client.post(reverse("billing:run_start"),
                                  {"period_start": "2026-02-01", "period_end": "2026-02-28",
                                   "issue_date": "2026-03-01", "due_days": "14"})
    data = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert data["state"] == "completed" and data["exceptions"] == 1
    detail = text(billing_admin_client.get(reverse("billing:run_detail",
                                                   args=[data["run_id"]])))
    assert b.account_no in detail and "Exceptions (1)" in detail
    rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE status = 'review'")
    billing_db.call("approve_reading", rid, "staff:test")
    r = billing_admin_client.post(reverse("billing:run_rerun", args=[data["run_id"]]))
    again = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert again["state"] == "completed" and again["bills_created"] == 1
    assert again["run_id"] != data["run_id"]
    assert billing_db.value("SELECT COUNT(*) FROM bill WHERE period_end = '2026-02-28'") == 2


def test_bill_one_account_and_late_fees(billing_admin_client, accounts, billing_db):
    a, b = accounts
    r = billing_admin_client.post(reverse("billing:account_bill", args=[a.account_id]), PERIOD,
                                  follow=True)
    assert "Bill created." in text(r)
    assert billing_db.value("SELECT COUNT(*) FROM bill WHERE account_id = %s", a.account_id) == 1
    r = billing_admin_client.post(reverse("billing:account_bill", args=[a.account_id]), PERIOD,
                                  follow=True)
    assert "The account was not billed." in text(r)
    r = billing_admin_client.post(reverse("billing:late_fees"), {"as_of": "2026-03-31"},
                                  follow=True)
    fees = billing_db.row("SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total FROM "
                          "ledger_entry WHERE entry_type = 'late_fee'")
    assert f"{fees['n']} bills charged, {fees['total']:.2f} in fees" in text(r)


def test_tariffs_and_a_new_version_with_the_block_editor(billing_admin_client, accounts,
                                                         billing_db):
    page = text(billing_admin_client.get(reverse("billing:tariff_list")))
    assert "RES" in page and "2 open accounts" in page
    url = reverse("billing:tariff_version_create", args=["RES"])
    form = billing_admin_client.get(url)
    assert form.status_code == 200 and b'name="blocks-0-rate"' in form.content
    base = {"effective_from": "2026-06-01", "fixed_charge": "5.00", "tax_rate_pct": "10",
            "late_fee_pct": "2", "early_pay_pct": "0", "early_pay_days": "0",
            "blocks-TOTAL_FORMS": "3", "blocks-INITIAL_FORMS": "0",
            "blocks-MIN_NUM_FORMS": "1", "blocks-MAX_NUM_FORMS": "50"}
    snapshot = billing_db.snapshot()
    bad = {**base, "blocks-0-up_to_kwh": "200", "blocks-0-rate": "0.10",
           "blocks-1-up_to_kwh": "100", "blocks-1-rate": "0.20",
           "blocks-2-up_to_kwh": "", "blocks-2-rate": "0.30"}
    r = billing_admin_client.post(url, bad)
    assert r.status_code == 200 and "Refused: TARIFF_INVALID_BLOCKS" in r.content.decode()
    assert billing_db.snapshot() == snapshot
    billing_db.call("bill_account", accounts[0].account_id, "2026-01-01", "2026-01-31",
                    "2026-02-01", 14, "staff:test")
    r = billing_admin_client.post(url, {**bad, "effective_from": "2026-01-15",
                                        "blocks-1-up_to_kwh": "300"})
    assert r.status_code == 200 and "Refused: TARIFF_RETROACTIVE" in r.content.decode()
    good = {**bad, "blocks-1-up_to_kwh": "300"}
    add = billing_admin_client.post(url, {**good, "add_row": "1"})
    assert add.status_code == 200 and b'name="blocks-3-rate"' in add.content
    r = billing_admin_client.post(url, good)
    assert r.status_code == 302
    blocks = billing_db.rows(
        "SELECT b.block_no, b.up_to_kwh, b.rate FROM v_staff_tariff_block b JOIN "
        "v_staff_tariff_version v USING (tariff_version_id) WHERE v.tariff_code = 'RES' "
        "AND v.effective_from = '2026-06-01' ORDER BY block_no")
    assert [(b["up_to_kwh"], str(b["rate"])) for b in blocks] == [
        (200, "0.100000"), (300, "0.200000"), (None, "0.300000")]
    assert "2026-06-01" in text(billing_admin_client.get(reverse("billing:tariff_list")))


def test_a_new_tariff_goes_to_its_first_version(billing_admin_client, billing_db):
    r = billing_admin_client.post(reverse("billing:tariff_create"),
                                  {"code": "BIZ", "name": "Business"})
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:tariff_version_create", args=["BIZ"])
    assert "No versions yet" in text(billing_admin_client.get(reverse("billing:tariff_list")))
