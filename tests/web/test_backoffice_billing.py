"""Back office, billing: a run started in the background with its progress (JSON), the list of
runs with exceptions, re-run, billing one account, late fees; tariffs with the block editor."""
import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from billing import formatting
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


# The rules bill only periods that are over, issued today or later (billing-rules.md), and the
# web app's sessions run on the real clock: the runs are of the last full month, issued today
# (`real`, read when a test runs).
def read_on():
    return real.last_end - timedelta(days=10)


def period():
    """The run form's fields: the last full month, issued today."""
    return {"period_start": str(real.last), "period_end": str(real.last_end),
            "issue_date": str(real.today), "due_days": "14"}


@pytest.fixture
def accounts(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-B-1", opened_on=real.last)
    b = make_metered_account(billing_db, tariff_code="RES", serial="SN-B-2", opened_on=real.last)
    billing_db.call("record_reading", "SN-B-1", read_on(), 100, "field", "staff:test")
    billing_db.call("record_reading", "SN-B-2", read_on(), 50, "field", "staff:test")
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
    r = billing_admin_client.post(reverse("billing:run_start"), period())
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
    assert data["progress_text"] == progress.json()["progress_text"] == \
        "2 accounts considered: 2 billed, 0 skipped"
    listing = text(billing_admin_client.get(reverse("billing:run_list")))
    assert f"{formatting.day(real.last)} – {formatting.day(real.last_end)}" in listing
    assert str(run["total_billed"]) in listing


def test_an_invalid_period_is_shown_on_the_form_and_nothing_runs(billing_admin_client,
                                                                 accounts, billing_db):
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:run_start"),
                                  {**period(), "issue_date": "2026-01-15"})
    assert r.status_code == 200
    assert r.context["form"].errors["issue_date"] == [
        f"The issue date cannot be before the period's last day ({formatting.day(real.last_end)})."]
    assert "Not saved</h2>" in r.content.decode() and "issue_date" not in text(r)
    assert 'id="id_issue_date_error"' in r.content.decode()
    assert billing_db.snapshot() == snapshot


def test_exceptions_are_listed_and_a_rerun_bills_the_rest(billing_admin_client, accounts,
                                                          billing_db):
    a, b = accounts
    # the run meets SN-B-2's last reading in review (high use), SN-B-1's is fine
    assert billing_db.call("record_reading", "SN-B-2", real.last_end, 5000, "field",
                           "staff:test")["status"] == "review"
    billing_db.call("record_reading", "SN-B-1", real.last_end, 200, "field", "staff:test")
    r = billing_admin_client.post(reverse("billing:run_start"), period())
    data = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert data["state"] == "completed" and data["exceptions"] == 1
    detail = text(billing_admin_client.get(reverse("billing:run_detail",
                                                   args=[data["run_id"]])))
    assert b.account_no in detail and "Exceptions (1)" in detail
    rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE status = 'review'")
    billing_db.call("approve_reading", rid, "staff:test")
    r = billing_admin_client.post(reverse("billing:run_rerun", args=[data["run_id"]]),
                                  {"issue_date": str(real.today), "due_days": "14"})
    again = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert again["state"] == "completed" and again["bills_created"] == 1
    assert again["run_id"] != data["run_id"]
    assert billing_db.value("SELECT COUNT(*) FROM bill WHERE period_end = %s", real.last_end) == 2


def test_bill_one_account_and_late_fees(billing_admin_client, accounts, billing_db):
    a, b = accounts
    r = billing_admin_client.post(reverse("billing:account_bill", args=[a.account_id]), period(),
                                  follow=True)
    assert "Bill created." in text(r)
    assert billing_db.value("SELECT COUNT(*) FROM bill WHERE account_id = %s", a.account_id) == 1
    r = billing_admin_client.post(reverse("billing:account_bill", args=[a.account_id]), period(),
                                  follow=True)
    # it read "The account was not billed. ALREADY_BILLED: already billed for a period
    # overlapping 2026-10-01..2026-10-31"
    assert [str(m) for m in r.context["messages"]] == [
        "The account was not billed. The account already has a bill for the period. Nothing to "
        "do."]
    assert "ALREADY_BILLED" not in text(r) and "2026-" not in text(r).split("Billing exceptions")[-1]
    r = billing_admin_client.post(reverse("billing:late_fees"), {"as_of": str(real.today)},
                                  follow=True)
    fees = billing_db.row("SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total FROM "
                          "ledger_entry WHERE entry_type = 'late_fee'")
    assert f"{fees['n']} bills charged, €{fees['total']:,.2f} in fees" in text(r)


def test_tariffs_and_a_new_version_with_the_block_editor(billing_admin_client, accounts,
                                                         billing_db):
    page = text(billing_admin_client.get(reverse("billing:tariff_list")))
    assert "RES" in page and "2 open accounts" in page
    url = reverse("billing:tariff_version_create", args=["RES"])
    form = billing_admin_client.get(url)
    assert form.status_code == 200 and b'name="blocks-0-rate"' in form.content
    base = {"effective_from": str(real.today), "fixed_charge": "5.00", "tax_rate_pct": "10",
            "late_fee_pct": "2", "early_pay_pct": "0", "early_pay_days": "0",
            "blocks-TOTAL_FORMS": "3", "blocks-INITIAL_FORMS": "0",
            "blocks-MIN_NUM_FORMS": "1", "blocks-MAX_NUM_FORMS": "50"}
    snapshot = billing_db.snapshot()
    bad = {**base, "blocks-0-up_to_kwh": "200", "blocks-0-rate": "0.10",
           "blocks-1-up_to_kwh": "100", "blocks-1-rate": "0.20",
           "blocks-2-up_to_kwh": "", "blocks-2-rate": "0.30"}
    r = billing_admin_client.post(url, bad)       # the form finds the row at fault (issue 22)
    assert r.status_code == 200
    assert r.context["blocks"].forms[1].errors["up_to_kwh"] == [
        "Block 2: the limit must be above block 1\u2019s (200 kWh)."]
    assert billing_db.snapshot() == snapshot
    billing_db.call("bill_account", accounts[0].account_id, real.last, real.last_end, real.today,
                    14, "staff:test")
    r = billing_admin_client.post(url, {**bad,
                                        "effective_from": str(real.last + timedelta(days=14)),
                                        "blocks-1-up_to_kwh": "300"})
    assert r.status_code == 200 and r.context["form"].errors["effective_from"] == [
        f"Tariff RES is billed up to {formatting.day(real.last_end)}: a new version must start "
        "after that day."]
    good = {**bad, "blocks-1-up_to_kwh": "300"}
    add = billing_admin_client.post(url, {**good, "add_row": "1"})
    assert add.status_code == 200 and b'name="blocks-3-rate"' in add.content
    r = billing_admin_client.post(url, good)
    assert r.status_code == 302
    blocks = billing_db.rows(
        "SELECT b.block_no, b.up_to_kwh, b.rate FROM v_staff_tariff_block b JOIN "
        "v_staff_tariff_version v USING (tariff_version_id) WHERE v.tariff_code = 'RES' "
        "AND v.effective_from = %s ORDER BY block_no", real.today)
    assert [(b["up_to_kwh"], str(b["rate"])) for b in blocks] == [
        (200, "0.100000"), (300, "0.200000"), (None, "0.300000")]
    assert formatting.day(real.today) in text(billing_admin_client.get(reverse("billing:tariff_list")))


def test_a_new_tariff_goes_to_its_first_version(billing_admin_client, billing_db):
    r = billing_admin_client.post(reverse("billing:tariff_create"),
                                  {"code": "BIZ", "name": "Business"})
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:tariff_version_create", args=["BIZ"])
    assert "No versions yet" in text(billing_admin_client.get(reverse("billing:tariff_list")))


def test_the_run_form_defaults_to_last_month_issued_today_and_that_runs(billing_admin_client,
                                                                        accounts, billing_db):
    page = billing_admin_client.get(reverse("billing:run_list")).content.decode()
    initial = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
               for name in ("period_start", "period_end", "issue_date", "due_days")}
    assert initial == period()
    r = billing_admin_client.post(reverse("billing:run_start"), initial)
    data = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert data["state"] == "completed" and data["bills_created"] == 2


def test_a_rerun_takes_a_fresh_issue_date_not_the_first_runs(billing_admin_client, accounts,
                                                             billing_db):
    a, b = accounts
    billing_db.call("record_reading", "SN-B-2", real.last_end, 5000, "field", "staff:test")
    billing_db.call("record_reading", "SN-B-1", real.last_end, 200, "field", "staff:test")
    tomorrow = real.today + timedelta(days=1)
    r = billing_admin_client.post(reverse("billing:run_start"),
                                  {**period(), "issue_date": str(tomorrow)})
    first = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert first["bills_created"] == 1
    detail_url = reverse("billing:run_detail", args=[first["run_id"]])
    page = billing_admin_client.get(detail_url).content.decode()
    form = page[page.index('id="rerun-heading"'):]
    assert re.search(r'name="issue_date"[^>]*value="([^"]*)"', form).group(1) == str(real.today)
    # an issue date before today is refused on the form and nothing runs
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:run_rerun", args=[first["run_id"]]),
                                  {"issue_date": str(real.today - timedelta(days=1)),
                                   "due_days": "14"})
    assert r.status_code == 200 and r.context["rerun_form"].errors["issue_date"] == [
        f"The issue date cannot be before today ({formatting.day(real.today)}): bills issued "
        "in the past would be overdue at once."]
    assert 'id="id_issue_date_error"' in r.content.decode()
    assert billing_db.snapshot() == snapshot
    billing_db.call("approve_reading", billing_db.value(
        "SELECT reading_id FROM meter_reading WHERE status = 'review'"), "staff:test")
    r = billing_admin_client.post(reverse("billing:run_rerun", args=[first["run_id"]]),
                                  {"issue_date": str(real.today), "due_days": "10"})
    again = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert again["bills_created"] == 1
    bill = billing_db.row("SELECT issue_date, due_date FROM v_bill_summary WHERE account_id = %s",
                          b.account_id)
    assert bill["issue_date"] == real.today and bill["due_date"] == real.today + timedelta(days=10)


def test_the_run_page_counts_and_explains_exceptions_until_resolved(billing_admin_client,
                                                                    accounts, billing_db):
    a, b = accounts
    billing_db.call("record_reading", "SN-B-2", real.last_end, 5000, "field", "staff:test")
    # a third account without readings: its end reading is estimated
    make_metered_account(billing_db, tariff_code="RES", serial="SN-B-3", opened_on=real.last)
    r = billing_admin_client.post(reverse("billing:run_start"), period())
    run = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE status = 'review'")
    url = reverse("billing:run_detail", args=[run["run_id"]])
    page = billing_admin_client.get(url)
    words = text(page)
    estimated = billing_db.value("SELECT COUNT(*) FROM v_bill_summary WHERE estimated = 1")
    assert estimated == 1
    assert "Billed 2 bills, of which 1 estimated" in words
    assert "Skipped 1 account: 1 – The reading at the end of the period waits for review." in words
    # the exception in words (EXCEPTION_WORDS, above), then its detail with its day as a day;
    # never the code
    assert (f"The reading at the end of the period waits for review. reading {rid} of "
            f"{formatting.day(real.last_end)} awaits review") in words
    assert "READ_NEEDS_REVIEW" not in words
    assert reverse("billing:reading_detail", args=[rid]) in page.content.decode()
    assert "open" in words and "resolved" not in words
    billing_db.call("approve_reading", rid, "staff:test")
    billing_db.call("bill_account", b.account_id, real.last, real.last_end, real.today, 14,
                    "staff:test")
    words = text(billing_admin_client.get(url))
    assert "resolved billed by a later run" in words
    assert f"Review reading {rid}" not in words


def test_the_start_form_does_not_default_to_a_period_already_billed(billing_admin_client,
                                                                   accounts, billing_db):
    billing_db.call("run_billing", real.last, real.last_end, real.today, 14, "staff:test")
    page = billing_admin_client.get(reverse("billing:run_list")).content.decode()
    for name in ("period_start", "period_end"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0).find("value=") < 0
    assert "was billed by" in text(billing_admin_client.get(reverse("billing:run_list")))


def test_one_bill_charged_is_said_in_the_singular(billing_admin_client, accounts, billing_db):
    make_tariff(billing_db, code="FEE", versions=[{"fixed_charge": "10.00", "late_fee_pct": "5"}])
    a = make_metered_account(billing_db, tariff_code="FEE", serial="SN-B-9", opened_on=real.last)
    # a short period early last month, billed then (the session clock moved there), overdue now
    end = real.last + timedelta(days=9)
    with billing_db.at(end + timedelta(days=1)):
        billing_db.call("bill_account", a.account_id, real.last, end, end + timedelta(days=1), 1,
                        "staff:test")
    r = billing_admin_client.post(reverse("billing:late_fees"), {"as_of": str(real.today)},
                                  follow=True)
    assert billing_db.value("SELECT COUNT(*) FROM ledger_entry WHERE entry_type = 'late_fee'") == 1
    assert "1 bill charged," in text(r)
