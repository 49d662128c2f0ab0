"""The back office in headless Chromium: a clerk enters a reading and uploads a CSV of readings;
a billing admin runs billing to completion and watches its progress bar; the issue-22 pages
(run results with exceptions and the re-run form, the review queue's own-reading rule, the
reversal confirmation, search results, the account page's sections) at 1280 and 390 px, with
screenshots in var/screens/ for a person and no page scrolling sideways."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from billing import formatting
from e2e.conftest import screenshots
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


# The rules bill only periods that are over, issued today or later, and the web app runs on the
# real clock: the meters are read at the end of the last full month, billed today (`real`, read
# when a test runs).


@pytest.fixture
def meters(billing_db):
    make_tariff(billing_db, code="RES")
    return [make_metered_account(billing_db, tariff_code="RES", serial=f"SN-E-{i}",
                                 opened_on=real.last) for i in (1, 2, 3)]


def test_a_clerk_enters_a_reading_and_uploads_a_csv(page, live_server, meters, billing_db,
                                                    staff_login, tmp_path):
    staff_login("clerk1", "clerk")
    page.click("nav >> text=Enter reading")
    page.fill("#id_serial_no", "SN-E-1")
    page.fill("#id_read_on", str(real.last_end))
    page.fill("#id_value", "120")
    page.select_option("#id_source", "field")
    page.click("main button[type=submit]")
    assert "Reading recorded: 120 kWh" in page.locator(".messages").inner_text()

    csv_file = tmp_path / "readings.csv"
    csv_file.write_text(f"serial,date,value,source\nSN-E-2,{real.last_end},80,field\n"
                        f"SN-E-9,{real.last_end},10,field\nSN-E-3,{real.last_end},oops,field\n"
                        f"SN-E-3,{real.last_end},90,smart\n")
    page.goto(live_server.url + "/readings/upload/")
    page.set_input_files("#id_file", str(csv_file))
    page.click("button:has-text('Check the file')")
    assert page.locator(".upload-summary").inner_text() == \
        "Recording it would give: 2 accepted, 0 for review, 2 refused."
    assert billing_db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'actual'") == 1
    shoot(page, "upload-check")
    page.click("button:has-text('Record these 2 readings')")
    assert page.locator(".upload-summary").inner_text() == "2 accepted, 0 for review, 2 refused."
    assert page.locator("tr.outcome-refused").count() == 2
    assert "No meter with serial number SN-E-9 is installed on an account." in \
        page.locator("tr.outcome-refused").first.inner_text()
    assert billing_db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'actual'") == 3
    # at a phone's width each line is a card with its reason on the screen (the reason was the
    # last column of a table scrolled in its box; found by a walk of the forms at 390 px)
    page.set_viewport_size({"width": 390, "height": 844})
    box = page.locator("tr.outcome-refused td.detail").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "upload-result-phone")


def test_a_billing_admin_runs_billing_to_completion(page, live_server, meters, billing_db,
                                                    staff_login):
    for i, value in ((1, 100), (2, 50), (3, 75)):
        billing_db.call("record_reading", f"SN-E-{i}", real.last_end, value, "field", "staff:t")
    staff_login("badmin", "billing_admin")
    page.click("nav >> text=Billing runs")
    page.fill("#id_period_start", str(real.last))
    page.fill("#id_period_end", str(real.last_end))
    page.fill("#id_issue_date", str(real.today))
    page.fill("#id_due_days", "14")
    page.click("button:has-text('Preview run')")       # the first step: a preview
    assert page.locator(".count-bills").inner_text() == "3"
    page.click("button:has-text('Issue these bills')")
    page.wait_for_selector("progress")
    page.wait_for_selector(".progress-done-link:not([hidden])")
    assert page.locator(".progress-state").inner_text() == "completed"
    assert page.locator(".progress-text").inner_text() == \
        "3 accounts considered: 3 billed, 0 skipped · completed"
    bar = page.locator("progress")
    assert bar.evaluate("b => [b.value, b.max]") == [3, 3]
    page.click("text=See the run's results")
    assert page.locator("h1").inner_text().startswith("Billing run")
    assert billing_db.value("SELECT COUNT(*) FROM bill") == 3


def shoot(page, name):
    screenshots(page, f"backoffice-{name}")


def test_a_billing_admin_reads_a_run_fixes_its_exception_and_runs_it_again(
        page, live_server, meters, billing_db, staff_login):
    read_on = real.last_end - dt.timedelta(days=10)
    billing_db.call("record_reading", "SN-E-1", read_on, 100, "field", "staff:t")
    billing_db.call("record_reading", "SN-E-2", read_on, 50, "field", "staff:t")
    billing_db.call("record_reading", "SN-E-1", real.last_end, 200, "field", "staff:t")
    assert billing_db.call("record_reading", "SN-E-2", real.last_end, 5000, "field",
                           "staff:t")["status"] == "review"
    run = billing_db.call("run_billing", real.last, real.last_end, real.today, 14, "staff:t")
    staff_login("badmin2", "billing_admin")
    page.goto(f"{live_server.url}/billing/runs/{run['run_id']}/")
    main = page.inner_text("main")
    assert "2 bills, of which 1 estimated" in main
    assert "The reading at the end of the period waits for review." in main
    assert page.input_value("#id_issue_date") == str(real.today)
    shoot(page, "run-detail")
    page.click("text=Review reading")
    assert page.locator("h1").inner_text().startswith("Reading")
    page.goto(live_server.url + "/readings/review/")
    shoot(page, "review-queue")
    # run again before the reading is approved: it bills nobody, and the progress line (written
    # by progress.js from the status JSON) says so rather than "1 of 1 accounts" and a full bar
    page.goto(f"{live_server.url}/billing/runs/{run['run_id']}/")
    page.click("button:has-text('Run this period again')")
    page.wait_for_selector(".progress-done-link:not([hidden])")
    assert page.locator(".progress-text").inner_text() == \
        "1 account considered: 0 billed, 1 skipped · completed"
    assert page.locator("label[for=run-progress-bar]").inner_text() == "Accounts worked through"
    shoot(page, "run-job-nobody-billed")
    page.goto(live_server.url + "/readings/review/")
    page.click("button:has-text('Approve')")
    page.goto(f"{live_server.url}/billing/runs/{run['run_id']}/")
    page.click("button:has-text('Run this period again')")
    page.wait_for_selector(".progress-done-link:not([hidden])")
    page.goto(f"{live_server.url}/billing/runs/{run['run_id']}/")
    assert "resolved" in page.inner_text("table")
    shoot(page, "run-resolved")
    page.goto(live_server.url + "/billing/runs/")
    assert page.input_value("#id_period_start") == ""        # last month is billed
    shoot(page, "run-list")


def test_search_account_sections_and_reversal_confirmation(page, live_server, meters,
                                                         billing_db, staff_login):
    billing_db.call("record_reading", "SN-E-1", real.last_end, 100, "field", "staff:t")
    billing_db.call("run_billing", real.last, real.last_end, real.today, 14, "staff:t")
    acc = meters[0]
    for i in range(3):
        billing_db.call("post_payment", acc.account_id, "2.00", "cheque", None, f"k-e-{i}",
                        "staff:t")
    pid = billing_db.value("SELECT MAX(payment_id) FROM payment")
    staff_login("badmin3", "billing_admin")
    page.goto(live_server.url + "/customers/?q=main")       # the service addresses' street
    assert page.locator("table.search-results tbody tr").count() == 3
    shoot(page, "search")
    page.goto(live_server.url + f"/customers/?q={acc.account_no}")
    assert page.locator("h1").inner_text().startswith(f"Account {acc.account_no}")
    assert page.locator(".breadcrumbs li").count() == 3
    shoot(page, "account")
    page.goto(f"{live_server.url}/payments/{pid}/reverse/")
    assert "1 bill reopened" in page.inner_text("main")
    shoot(page, "reverse")
    page.fill("#id_reason", "cheque returned unpaid")
    page.click("button:has-text('Confirm: reverse payment')")
    assert "reversed; balance after" in page.inner_text(".messages")


def test_the_reading_form_warns_before_review_or_refusal(page, live_server, meters, billing_db,
                                                        staff_login):
    mid = real.last_end - dt.timedelta(days=20)
    billing_db.call("record_reading", "SN-E-1", mid, 100, "field", "staff:t")
    staff_login("clerk2", "clerk")
    page.goto(live_server.url + "/readings/new/?serial_no=SN-E-1")
    page.wait_for_selector("#meter-context:not([hidden]) .meter-text:has-text('typical use')")
    assert f"last reading 100 on {formatting.day(mid)}" in page.inner_text("#meter-context")
    page.fill("#id_read_on", str(real.last_end))
    # (the page's script writes the warning on input: wait for it, do not read at once)
    page.fill("#id_value", "50")
    expect(page.locator("#reading-warning")).to_contain_text("below the last reading")
    page.fill("#id_value", "900")
    expect(page.locator("#reading-warning")).to_contain_text("will go to review")
    shoot(page, "reading-warning")
    snapshot = billing_db.value("SELECT COUNT(*) FROM meter_reading")
    page.click("main button[type=submit]")                 # first click: only the warning
    expect(page.locator("main button[type=submit]")).to_have_text("Record it for review")
    assert billing_db.value("SELECT COUNT(*) FROM meter_reading") == snapshot
    page.click("main button[type=submit]")
    page.wait_for_selector(".messages")
    assert "needs review" in page.inner_text(".messages")


def test_a_cash_payment_shows_the_change_and_the_drawer_closes(page, live_server, meters,
                                                               billing_db, staff_login):
    billing_db.call("record_reading", "SN-E-1", real.last_end, 100, "field", "staff:t")
    billing_db.call("run_billing", real.last, real.last_end, real.today, 14, "staff:t")
    acc = meters[0]
    due = billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                           acc.account_id)
    staff_login("clerk3", "clerk")
    page.goto(f"{live_server.url}/accounts/{acc.account_id}/pay/")
    assert page.input_value("#id_amount") == str(due)
    assert page.locator("#id_reference").is_hidden()              # cash: no reference
    page.fill("#tendered", "20")
    assert page.inner_text(".change") == f"Change to give: {20 - due:.2f}"
    shoot(page, "counter-payment")
    page.click("main button[type=submit]")
    page.wait_for_selector(".messages")
    page.goto(f"{live_server.url}/payments/today/")
    page.click("text=Drawer close")
    assert "Drawer close staff:clerk3" in page.inner_text("h1")
    shoot(page, "drawer-close")


def test_a_decimal_comma_in_an_amount_is_refused_in_words_and_posts_nothing(
        page, live_server, meters, billing_db, staff_login):
    """Typed key by key, "12,50" reaches the server as typed (a text box with a numeric keyboard:
    Chromium's number box sent 1250 for it) and is refused on the field, the typing kept."""
    acc = meters[0]
    staff_login("clerk4", "clerk")
    page.goto(f"{live_server.url}/accounts/{acc.account_id}/pay/")
    assert page.get_attribute("#id_amount", "inputmode") == "decimal"
    page.fill("#id_amount", "")
    page.type("#id_amount", "12,50")
    page.click("main button[type=submit]")
    page.wait_for_selector("#id_amount_error")
    assert "digits 0-9 and a point" in page.inner_text("#id_amount_error")
    assert page.input_value("#id_amount") == "12,50"
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 0


def test_a_clerk_works_through_a_paged_review_queue(page, live_server, meters, billing_db,
                                                    staff_login, monkeypatch):
    """The queue 2 a page (25 in the app): the pager; an approval on page 2 comes back to page
    2, with the next reading moved up; a rejection; at 1280 and 390 px."""
    from billing.views.readings import ReviewQueueView
    monkeypatch.setattr(ReviewQueueView, "PER_PAGE", 2)
    first = real.last + dt.timedelta(days=9)
    ids = []
    meters = meters + [make_metered_account(billing_db, tariff_code="RES", serial="SN-E-4",
                                            opened_on=real.last)]
    for n, m in enumerate(meters):
        billing_db.call("record_reading", m.serial, first, 100, "field", "staff:t")
        r = billing_db.call("record_reading", m.serial, first + dt.timedelta(days=5 + n), 5000,
                            "field", "staff:t")
        assert r["status"] == "review"
        ids.append(r["reading_id"])
    staff_login("clerk9", "clerk")
    page.goto(live_server.url + "/readings/review/")
    assert "readings 1–2 of 4" in page.inner_text("main")
    page.click("nav.pager >> text=Next page")
    assert page.url.endswith("?page=2#queue")
    rows = page.locator("table.review-queue tbody tr")
    expect(rows).to_have_count(2)
    assert "Page 2 of 2" in page.locator("nav.pager").inner_text()
    shoot(page, "review-queue-page-2")
    page.click(f"#reading-{ids[2]} button:has-text('Approve')")         # on page 2
    assert f"Reading {ids[2]} accepted." in page.locator(".messages").inner_text()
    assert page.url.endswith("/readings/review/?page=2")                # back on page 2
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("id") == f"reading-{ids[3]}"
    page.fill(f"#reason-{ids[3]}", "dial misread")
    page.click(f"#reading-{ids[3]} button:has-text('Reject')")
    assert f"Reading {ids[3]} rejected." in page.locator(".messages").inner_text()
    # page 2 is gone: the last page, page 1, with the two readings left
    expect(rows).to_have_count(2)
    assert "2 readings" in page.inner_text("h1") and page.locator("nav.pager").count() == 0
    shoot(page, "review-queue-after")
    # at phone width each reading is a card: its figures labelled and its Approve and Reject
    # buttons on the screen (the table scrolled sideways and hid them)
    page.set_viewport_size({"width": 390, "height": 900})
    box = page.locator("table.review-queue").locator("xpath=..")
    assert box.evaluate("b => b.scrollWidth - b.clientWidth") <= 1
    card = rows.first
    for selector in ("td[data-label=Value]", "td[data-label='Usual use']",
                     "button:has-text('Approve')", "button:has-text('Reject')"):
        b = card.locator(selector).bounding_box()
        assert b and b["x"] >= 0 and b["x"] + b["width"] <= 390, (selector, b)
    page.set_viewport_size({"width": 1280, "height": 900})
