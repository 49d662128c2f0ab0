"""The pages of issue 16 in headless Chromium at 1280 and 390 px: the pay form refusing a bad
amount before any charge, the charges to reconcile with the "settled" action, the one-time
portal login link with its copy button, the tariff list and the block editor. No page scrolls
sideways (tables scroll inside their own box); screenshots go to var/screens/ for a person."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, SCREENS, login_page
from helpers.factories import make_tariff
from helpers.portal_data import make_portal_customer
from portal.models import ChargeToReconcile
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
WIDTHS = (1280, 390)


def shoot(page, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} at {width}px scrolls sideways by {overflow}px"


def test_pay_form_refuses_a_full_width_amount(page, live_server, billing_db):
    ada = make_portal_customer(billing_db)
    create_customer_login(ada.customer_id, password=PASSWORD)
    login_page(page, live_server, ada.customer_no, PASSWORD)
    page.goto(f"{live_server.url}/my/accounts/{ada.account_id}/pay/")
    page.fill("#id_amount", "１２")
    page.fill("#id_card_holder", "Ada Lovelace")
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.fill("#id_card_expiry", "12/30")
    page.fill("#id_card_cvc", "123")
    page.click("main button[type=submit]")
    assert "digits 0-9" in page.inner_text("main")
    for w in WIDTHS:
        shoot(page, "pay-refused", w)
    assert billing_db.value("SELECT COUNT(*) FROM payment WHERE method = 'online'") == 0


def test_reconcile_list_and_settle(page, live_server, billing_db, staff_login):
    ChargeToReconcile.objects.create(account_id=1, amount=Decimal("7.77"),
                                     reference="0123456789abcdef0123456789abcdef",
                                     transaction_id="SIM-0123456789ab", actor="customer:C0000001",
                                     reason="IDEMPOTENCY_MISMATCH",
                                     detail="idempotency_key was used for another payment")
    staff_login("badmin", "billing_admin")
    page.goto(live_server.url + "/my/staff/reconcile/")
    for w in WIDTHS:
        shoot(page, "reconcile-open", w)
    page.fill("input[name=note]", "posted by hand as a counter payment")
    page.click("button:has-text('Settled')")
    assert "marked settled" in page.inner_text("main")
    for w in WIDTHS:
        shoot(page, "reconcile-settled", w)


def test_one_time_login_link_page(page, live_server, billing_db, staff_login):
    ada = make_portal_customer(billing_db, with_history=False)
    staff_login("clerk1", "clerk")
    page.goto(f"{live_server.url}/customers/{ada.customer_id}/")
    page.click("button:has-text('Create a portal login')")
    assert "/my/password/set/" in page.inner_text("#login-link")
    # the copy button's script (deferred) listens once the page has loaded: a click before that
    # did nothing (seen once under load)
    page.wait_for_load_state("load")
    page.click("button:has-text('Copy the link')")
    # (a locator wait, not wait_for_function: that evaluates a string, which the pages' CSP
    # forbids; it passed only when the first poll was already true)
    expect(page.locator("#copy-status")).not_to_be_empty()
    for w in WIDTHS:
        shoot(page, "login-link", w)
    page.reload()
    assert "shown already" in page.inner_text("main")


def test_tariff_list_and_block_editor(page, live_server, billing_db, staff_login):
    make_tariff(billing_db, code="RES-2026_1")
    staff_login("badmin", "billing_admin")
    page.goto(live_server.url + "/tariffs/new/")
    page.fill("#id_code", "A/B")
    page.fill("#id_name", "Odd")
    page.click("main button[type=submit]")
    assert "capital letters" in page.inner_text("main")
    for w in WIDTHS:
        shoot(page, "tariff-code-refused", w)
    page.goto(live_server.url + "/tariffs/")
    for w in WIDTHS:
        shoot(page, "tariff-list", w)
    page.click("text=Add a version")
    for w in WIDTHS:
        shoot(page, "block-editor", w)


def test_error_pages_of_their_side_and_logins_at_the_wrong_door(page, live_server, billing_db,
                                                                staff_login):
    """A manager's 403 is the back office's page with Log out (it was the portal's, with no way
    out); a customer at the staff login is told where to log in; staff at the portal's login
    likewise (each used to log in and land on a 403 that led back to itself)."""
    staff_login("mona", "manager")
    page.goto(live_server.url + "/readings/new/")
    assert page.locator("a.brand").inner_text() == "Electricity billing"
    assert page.locator("h1").inner_text() == "You cannot open this page"
    for w in WIDTHS:
        shoot(page, "error-403-staff", w)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("main button:has-text('Log out')")
    page.wait_for_url("**/logged-out/")
    page.goto(live_server.url + "/no/such/page/")
    assert page.locator("h1").inner_text() == "Page not found"
    for w in WIDTHS:
        shoot(page, "error-404-staff", w)
    ada = make_portal_customer(billing_db)
    create_customer_login(ada.customer_id, password=PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    login_page(page, live_server, ada.customer_no, PASSWORD, path="/login/")
    assert "a customer's login does not open it" in page.inner_text("main")
    for w in WIDTHS:
        shoot(page, "login-customer-at-staff-door", w)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=log in to their electricity account here")
    page.wait_for_url("**/my/login/")
    page.fill("#id_username", "mona")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    assert "a staff login does not open it" in page.inner_text("main")
    for w in WIDTHS:
        shoot(page, "login-staff-at-customer-door", w)
