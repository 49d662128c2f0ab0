"""Bill review in headless Chromium (issue 20): a billing admin previews a run, inspects a
flagged bill, issues; late fees previewed; a customer's bill page (and the staff bill page)
shows why the bill differs, with the usage chart. Every page at 1280 and 390 px, screenshots
in var/screens/, none scrolling sideways."""
import re

import pytest

from e2e.conftest import PASSWORD, login_page, screenshots
from helpers.portal_data import MONTHS, billed
from helpers.review_data import make_overdue_accounts, make_review_accounts
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def world(billing_db):
    return make_review_accounts(billing_db)


@pytest.fixture
def overdue(billing_db):
    return make_overdue_accounts(billing_db)

def shoot(page, name):
    screenshots(page, f"review-{name}")


def test_preview_inspect_a_flagged_bill_issue(page, live_server, world, billing_db,
                                              staff_login):
    staff_login("badmin", "billing_admin")
    page.click("nav >> text=Billing runs")
    assert "The period must be over" in page.locator("main").inner_text()
    shoot(page, "run-list")
    page.click("button:has-text('Preview run')")           # the form defaults to last month
    assert page.locator("h1").inner_text().startswith("Preview of a billing run")
    assert page.locator(".count-bills").inner_text() == "4"
    assert "1 HIGH" in page.locator(".count-flagged").inner_text()
    shoot(page, "preview")
    # the HIGH bill, filtered, with its previous bill beside it
    page.select_option("#id_flag", "HIGH")
    page.click("button:has-text('Filter')")
    rows = page.locator("tr.preview-bill")
    assert rows.count() == 1 and "HIGH" in rows.first.inner_text()
    page.click(f"tr.preview-bill >> text={world['high'].account_no}")
    assert "Not issued" in page.locator("main").inner_text()
    assert page.locator("table.preview-lines tbody tr").count() >= 1
    shoot(page, "preview-bill")
    page.go_back()
    page.go_back()
    assert billing_db.value("SELECT COUNT(*) FROM bill WHERE run_id IS NOT NULL AND "
                            "period_end = LAST_DAY(CURRENT_DATE - INTERVAL 1 MONTH)") == 0
    page.click("button:has-text('Issue these bills')")
    page.wait_for_selector(".progress-done-link:not([hidden])")
    page.click("text=See the run's results")
    text = page.locator(".preview-comparison").inner_text()
    assert re.search(r"The run billed what preview \d+ showed: 4 bills, 1 exception", text)
    shoot(page, "run-after-preview")


def test_late_fees_preview_then_apply(page, live_server, overdue, billing_db,
                                      staff_login):
    staff_login("badmin2", "billing_admin")
    page.goto(live_server.url + "/billing/runs/")
    page.click("button:has-text('Preview late fees')")
    assert page.locator("h1").inner_text().startswith("Late fees as of")
    assert page.locator("tr.late-fee-row").count() == 2
    shoot(page, "late-fees-preview")
    page.click("button:has-text('Apply these late fees')")
    assert "2 bills charged" in page.locator("main").inner_text()
    assert page.locator("tr.charged-row").count() == 2
    shoot(page, "late-fees-charged")


def test_a_customers_bill_page_shows_the_explanation(page, live_server, billing_db,
                                                     staff_login):
    kwh = [300, 310, 320, 330, 340, 350, 360, 370, 280, 310, 300, 310, 300, 465, 310]
    acc, bills = billed(billing_db, kwh, MONTHS)
    create_customer_login(acc.customer_id, password=PASSWORD)
    customer_no = billing_db.value("SELECT customer_no FROM customer WHERE customer_id = %s",
                                   acc.customer_id)
    login_page(page, live_server, customer_no, PASSWORD)
    page.goto(live_server.url + f"/my/bills/{bills[-1]}/")
    sentence = page.locator(".why-sentence").inner_text()
    assert re.fullmatch(r"This bill is €[\d.,]+ less than last month's: €[\d.,]+ because you "
                        r"used [\d.]+ kWh a day less\. \(Bills compared as issued, before any "
                        r"early-payment rebate or late fee\.\)", sentence), sentence
    assert page.locator(".why-last-year").inner_text().startswith(
        "Same period last year (1 Aug 2025 – 31 Aug 2025)")
    assert page.locator("svg rect.bar").count() == 13
    assert page.locator("svg rect.last-year").count() == 1
    shoot(page, "customer-bill")
    page.goto(live_server.url + f"/my/bills/{bills[-1]}/print/")
    assert page.locator(".why-sentence").inner_text() == sentence
    # the staff bill page says the same
    page.context.clear_cookies()
    staff_login("clerk9", "clerk")
    page.goto(live_server.url + f"/bills/{bills[-1]}/")
    assert page.locator(".why-sentence").inner_text() == sentence
    shoot(page, "staff-bill")
