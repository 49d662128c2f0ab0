"""The customer portal in headless Chromium: log in, open a bill, pay it, see the receipt and the
new balance; a double click on Pay posts one payment. Pages of issue 21 are photographed at 1280
and 390 px wide into var/screenshots/portal/ (test artefacts, looked at by people)."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from e2e.conftest import PASSWORD, login_page, screenshots
from helpers.portal_data import make_portal_customer
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "portal"


def shoot(page, name):
    """Full-page screenshots of the current page at desktop and phone width."""
    screenshots(page, name, max_overflow=None, folder=SHOTS)


@pytest.fixture
def ada(billing_db):
    c = make_portal_customer(billing_db)
    create_customer_login(c.customer_id, password=PASSWORD)
    return c


def _fill_card(page):
    page.fill("#id_card_holder", "Ada Lovelace")
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.fill("#id_card_expiry", "12/30")
    page.fill("#id_card_cvc", "123")


def test_log_in_open_a_bill_pay_it_and_see_the_receipt(page, live_server, ada, billing_db):
    login_page(page, live_server, ada.customer_no, PASSWORD)
    assert page.locator("h1").inner_text() == "Your accounts"
    assert page.locator(".balance").inner_text().startswith("€105.45")
    page.click("text=Bills")
    bill_no = billing_db.value("SELECT bill_no FROM bill WHERE bill_id = %s", ada.bill_ids[2])
    page.click(f"text={bill_no}")
    assert page.locator("h1").inner_text() == f"Bill {bill_no}"
    assert page.locator("tr.line-energy").count() == 2
    page.click("a.button:has-text('Pay')")
    assert page.input_value("#id_amount") == "104.53"
    _fill_card(page)
    page.click("#pay-button")
    page.wait_for_url("**/my/payments/*/")
    assert "Thank you: payment received" in page.content()
    receipt = page.locator(".receipt-no").inner_text()
    assert receipt == billing_db.value("SELECT receipt_no FROM v_payments WHERE account_id = %s "
                                       "AND method = 'online'", ada.account_id)
    assert page.locator(".balance-after").inner_text() == "Nothing owed"
    assert "Visa ending 4242" in page.locator(".method").inner_text()
    page.click("text=Overview")
    assert page.locator(".balance").inner_text().startswith("€0.00")


def test_a_double_click_on_pay_posts_one_payment(page, live_server, ada, billing_db):
    login_page(page, live_server, ada.customer_no, PASSWORD)
    page.goto(live_server.url + f"/my/accounts/{ada.account_id}/pay/")
    page.fill("#id_amount", "30.00")
    _fill_card(page)
    page.dblclick("#pay-button")
    page.wait_for_url("**/my/payments/*/")
    page.wait_for_load_state("networkidle")
    rows = billing_db.rows("SELECT amount FROM payment WHERE account_id = %s "
                           "AND method = 'online'", ada.account_id)
    assert [r["amount"] for r in rows] == [Decimal("30.00")]
    assert page.locator(".receipt-no").count() == 1


def test_a_receipt_stays_as_posted_after_the_next_bill(page, live_server, ada, billing_db):
    login_page(page, live_server, ada.customer_no, PASSWORD)
    page.goto(live_server.url + f"/my/accounts/{ada.account_id}/pay/")
    assert page.locator("#pay-button").inner_text() == "Pay €104.53"
    page.fill("#id_amount", "200.00")
    assert page.locator("#pay-button").inner_text() == "Pay €200.00"     # states what is typed
    _fill_card(page)
    page.click("#pay-button")
    assert "more than the €105.45 you owe" in page.locator("#main").inner_text()
    shoot(page, "pay-confirm")
    page.fill("#id_amount", "200.00")
    _fill_card(page)
    page.check("#id_confirm_over")
    page.click("#pay-button")
    page.wait_for_url("**/my/payments/*/")
    keys = (".amount", ".applied", ".credit-left", ".balance-after", ".receipt-lines")
    before = [page.locator(k).inner_text() for k in keys]
    assert before[3].startswith("Credit €")
    shoot(page, "receipt")
    today = billing_db.value("SELECT CURRENT_DATE")
    billing_db.call("record_reading", ada.serial, today - dt.timedelta(days=1), 1900, "field",
                    "staff:test")
    billing_db.call("bill_account", ada.account_id, today - dt.timedelta(days=5),
                    today - dt.timedelta(days=1), today, 14, "staff:test")
    page.reload()
    assert [page.locator(k).inner_text() for k in keys] == before
    payment_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    billing_db.call("reverse_payment", payment_id, "Charge-back from the card issuer",
                    "staff:test")
    page.reload()
    assert "not a valid receipt" in page.locator(".reversed-notice").inner_text()
    assert page.locator("text=Download receipt (PDF)").count() == 0
    shoot(page, "receipt-reversed")


def test_formatted_pages_and_the_error_pages(page, live_server, ada, billing_db):
    """Money through the one formatter on every page; the 404 page leads back (photographed)."""
    login_page(page, live_server, ada.customer_no, PASSWORD)
    assert page.locator(".balance").inner_text() == "€105.45"
    shoot(page, "dashboard")
    page.goto(live_server.url + f"/my/bills/{ada.bill_ids[1]}/")
    assert "Late fee: 1.5% of €48.40" in page.locator("table.lines").inner_text()
    shoot(page, "bill")
    page.goto(live_server.url + f"/my/bills/{ada.bill_ids[2]}/print/")
    assert page.locator(".amount-due").inner_text().startswith("€")
    assert page.locator("button[data-print]").count() == 1
    shoot(page, "bill-print")
    page.goto(live_server.url + "/my/bills/")
    shoot(page, "bills")
    page.goto(live_server.url + "/my/bills/999999/")
    assert page.locator("h1").inner_text() == "We cannot find this page"
    page.click("text=Back to your account")
    page.wait_for_url("**/my/")
    page.goto(live_server.url + "/my/bills/999999/")
    shoot(page, "404")


def test_the_bills_list_and_a_bill_fit_a_phone(page, live_server, ada, billing_db):
    """Issue 21: at 390 px the bills list is stacked cards (amount and status visible, no page
    wider than the screen); the bill shows the account since the previous bill."""
    login_page(page, live_server, ada.customer_no, PASSWORD)
    page.goto(live_server.url + "/my/bills/")
    assert page.locator("tr.overdue").count() >= 1
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator("table.bill-list tbody tr").first
    assert first.locator("td[data-label=Open]").is_visible()
    assert first.locator("td[data-label=Status]").is_visible()
    shoot(page, "bills-list")
    page.goto(live_server.url + f"/my/bills/{ada.bill_ids[2]}/")
    assert "Your account" in page.locator("main").inner_text()
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "bill-account-summary")


def test_a_bills_charges_and_totals_stay_on_a_phone_screen(page, live_server, ada, billing_db):
    """At 390 px the charges table scrolled sideways in its box: the Amount column and the
    figures of Total, Paid and Still open were out of sight. Now each charge is a stacked card
    (its kWh, rate and amount labelled) and each total row is its label and amount on one line,
    all within the screen."""
    login_page(page, live_server, ada.customer_no, PASSWORD)
    page.goto(live_server.url + f"/my/bills/{ada.bill_ids[2]}/")
    page.set_viewport_size({"width": 390, "height": 900})
    box = page.locator("table.lines").locator("xpath=..")
    assert box.evaluate("b => b.scrollWidth - b.clientWidth") <= 1     # no scrolling inside
    cells = page.locator("table.lines tbody td[data-label=Amount], table.lines tfoot td")
    assert cells.count() >= 5
    for i in range(cells.count()):
        b = cells.nth(i).bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390, (cells.nth(i).inner_text(), b)
    total = page.locator("table.lines tfoot tr").first
    assert total.locator("th").bounding_box()["y"] == total.locator("td").bounding_box()["y"]
    page.set_viewport_size({"width": 1280, "height": 900})           # a table again
    assert page.locator("table.lines thead").is_visible()
    shoot(page, "bill-charges")


def test_the_payments_list_fits_a_phone(page, live_server, ada, billing_db):
    """At 390 px the payments list is stacked cards like the bills list (data-label): it scrolled
    sideways in its box and the Amount column was out of sight."""
    payment = billing_db.call("post_payment", ada.account_id, "12.34", "cash", None,
                              "fits-a-phone", "staff:test")["payment_id"]
    billing_db.call("reverse_payment", payment, "Cheque returned unpaid by the bank on 28 Nov "
                    "(insufficient funds, second presentation refused)", "staff:test")
    login_page(page, live_server, ada.customer_no, PASSWORD)
    page.goto(live_server.url + "/my/payments/")
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(".table-scroll").first
    assert box.evaluate("b => b.scrollWidth - b.clientWidth") <= 1     # no scrolling inside
    rows = page.locator("table.payment-list tbody tr")
    assert rows.count() == 2
    for i in range(rows.count()):
        for label in ("Receipt", "Paid", "Amount", "Status"):
            cell = rows.nth(i).locator(f"td[data-label={label}]")
            assert cell.is_visible(), label
            b = cell.bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= 390, (label, b)
    assert "€12.34" in rows.first.locator("td[data-label=Amount]").inner_text()
    assert "Cheque returned unpaid" in rows.first.locator("td[data-label=Status]").inner_text()
    shoot(page, "payments-list")


def test_the_dashboard_chart_at_desktop_and_phone_width(page, live_server, billing_db):
    """Issue 21: the usage chart has a kWh axis with values, each bar's kWh over it, the latest
    period and the same period last year marked, each period's cost in the table beneath, and
    the comparison of this period, the previous one and last year. At 1280 px the whole chart
    shows; at 390 px it scrolls in its own box, opened at the latest periods, and the page
    does not scroll sideways."""
    from helpers.portal_data import MONTHS, billed
    kwh = [300, 310, 320, 330, 340, 350, 360, 370, 280, 310, 300, 310, 300, 465, 310]
    acc, bills = billed(billing_db, kwh, MONTHS)
    create_customer_login(acc.customer_id, password=PASSWORD)
    customer_no = billing_db.value("SELECT customer_no FROM customer WHERE customer_id = %s",
                                   acc.customer_id)
    login_page(page, live_server, customer_no, PASSWORD)
    chart = page.locator("figure.chart")
    assert chart.locator("rect.bar").count() == 13
    assert chart.locator("text.tick").all_text_contents() == ["0", "200", "400", "600"]
    assert chart.locator("text.value").all_text_contents()[-1] == "310"
    assert chart.locator("rect.last-year").count() == 1
    assert "same period last year" in chart.locator("figcaption").inner_text()
    compared = page.locator("tr.compared-row")
    assert compared.count() == 3
    assert compared.nth(2).inner_text().startswith("Same period last year")
    page.click("text=Each period's kWh and cost as a table")
    cost = billing_db.value("SELECT total_amount FROM v_bill_summary WHERE bill_id = %s",
                            bills[-1])
    assert f"€{cost}" in page.locator("details.usage-table tr.this").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"dashboard-chart-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator(".chart-scroll").bounding_box()
        latest = page.locator("rect.bar.this").bounding_box()
        # the latest period is in sight without scrolling, whole
        assert box["x"] <= latest["x"] and latest["x"] + latest["width"] <= box["x"] + box["width"]
        if width == 1280:
            first = page.locator("rect.bar").first.bounding_box()
            assert first["x"] >= box["x"]                       # the whole chart shows
        size = page.evaluate("getComputedStyle(document.querySelector('text.value')).fontSize")
        assert size == "11px"                                   # never scaled down
        # the drawing's box is as tall as the drawing: no gap under it
        row = page.locator("figure.chart > div").first.bounding_box()
        svg = page.locator(".chart-scroll svg").bounding_box()
        assert row["height"] - svg["height"] <= 20, (row, svg)
    page.set_viewport_size({"width": 1280, "height": 900})
