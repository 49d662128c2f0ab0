"""Corrections in headless Chromium (issue 19): a billing admin meets an actual reading below an
estimate on the reading page and corrects it in one guided flow (cancel the estimated bill,
record the reading, re-bill), then looks at both bills; a refund slip; the customer sees the
cancelled bill with its credit note and the bill that replaces it. Screenshots at 1280 and 390
px go to var/screens/ (looked at by people, not compared)."""
import pytest

from e2e.conftest import PASSWORD, login_page, screenshots
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

# the web app runs on the real clock: the last two full months, billed today (`real`, read when
# a test runs)


def words(locator):
    return " ".join(locator.inner_text().split())


def shoot(page, name):
    screenshots(page, name, max_overflow=None)


@pytest.fixture
def estimated(billing_db):
    """real.before billed on an actual reading of 100, real.last on an estimate above it."""
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-T-1", opened_on=real.before)
    billing_db.call("record_reading", "SN-T-1", str(real.before_end), 100, "field", "staff:test")
    billing_db.call("bill_account", a.account_id, str(real.before), str(real.before_end),
                    str(real.today), 14, "staff:test")
    a.est = billing_db.call("bill_account", a.account_id, str(real.last), str(real.last_end),
                            str(real.today), 14, "staff:test")["bill_id"]
    assert billing_db.value("SELECT estimated FROM v_bill_summary WHERE bill_id = %s", a.est)
    return a


def test_true_down_in_the_browser(page, live_server, estimated, billing_db, staff_login):
    staff_login("bea", "billing_admin")
    old_no = billing_db.value("SELECT bill_no FROM bill WHERE bill_id = %s", estimated.est)
    # the actual reading (read today, 120: below the estimate) is refused, with the way out
    page.click("nav >> text=Enter reading")
    page.fill("#id_serial_no", "SN-T-1")
    page.fill("#id_read_on", str(real.today))
    page.fill("#id_value", "120")
    # the form's check (issue 22) warns first, below the last (estimated) reading; a first
    # submit with a warning only asks again, the second one goes to the server
    page.wait_for_selector("#reading-warning.warning-refused:has-text('below the last reading')")
    page.click("main button[type=submit]")
    page.wait_for_selector("main button[type=submit]:has-text('Submit anyway')")
    page.click("main button[type=submit]")
    offer = page.locator(".offer")
    assert "below an estimate" in offer.inner_text() and old_no in offer.inner_text()
    shoot(page, "reading-refused-below-estimate")
    page.click("text=Correct the estimate")
    assert page.input_value("#id_value") == "120" or page.input_value("#id_value") == "120.00"
    assert f"Cancel bill {old_no}" in page.locator("ol.steps").inner_text()
    shoot(page, "true-down-confirm")
    page.click("button:has-text('Cancel, record and re-bill')")
    result = words(page.locator(".true-down-result"))
    new = billing_db.row("SELECT bill_id, bill_no, total_amount FROM v_bill_summary "
                         "WHERE replaces_bill_id = %s", estimated.est)
    assert "credit note CN-" in result and f"New bill {new['bill_no']} issued" in result
    shoot(page, "true-down-done")
    page.click("a.new-bill")
    assert f"Replaces bill {old_no}" in words(page.locator("main"))
    shoot(page, "bill-rebilled")
    page.click("a.replaces")
    text = words(page.locator("main"))
    assert "Cancelled on" in text and f"Replaced by bill {new['bill_no']}" in text
    assert "void" in page.locator("section", has_text="Readings used").inner_text()
    shoot(page, "bill-cancelled")
    assert billing_db.rows("SELECT * FROM v_ledger_integrity") == []

    # the account is now in credit (nothing paid yet: pay 50, then refund the credit)
    billing_db.call("post_payment", estimated.account_id, "50.00", "cash", None, "k-b1",
                    "staff:test")
    page.goto(live_server.url + f"/accounts/{estimated.account_id}/")
    page.click("text=Refund credit")
    page.select_option("#id_method", "bank_transfer")
    page.click("main button[type=submit]")
    assert "Refund slip" in page.locator("h1").inner_text()
    shoot(page, "refund-slip")

    # the customer's view of the cancelled bill
    from portal.models import CustomerLogin
    from portal.services import create_customer_login
    create_customer_login(estimated.customer_id, password=PASSWORD)
    assert CustomerLogin.objects.filter(customer_id=estimated.customer_id).exists()
    customer = page.context.browser.new_context().new_page()
    login_page(customer, live_server, estimated.customer_no, PASSWORD)
    customer.goto(live_server.url + f"/my/bills/{estimated.est}/")
    notice = words(customer.locator(".cancelled"))
    assert "cancelled" in notice and "CN-" in notice and new["bill_no"] in notice
    shoot(customer, "portal-cancelled-bill")
    customer.goto(live_server.url + "/my/payments/")
    assert "Refunds" in customer.locator("main").inner_text()
    shoot(customer, "portal-payments-refund")
    customer.context.close()
