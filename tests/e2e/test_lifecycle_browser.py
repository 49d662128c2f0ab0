"""Issue 19 in headless Chromium: a clerk exchanges a meter (the form, a refusal on its field,
then success); a billing admin sees the close form with the open balance. Screenshots of both
forms at 1280 and 390 px in var/screens/, and no page scrolling sideways."""
import pytest

from e2e.conftest import screenshots
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def shoot(page, name):
    screenshots(page, f"lifecycle-{name}", max_overflow=0)


@pytest.fixture
def account(billing_db):
    make_tariff(billing_db, code="RES")
    acc = make_metered_account(billing_db, tariff_code="RES", serial="SN-L-1", opened_on=real.last)
    billing_db.call("record_reading", "SN-L-1", real.last_end.isoformat(), 120, "field",
                    "staff:test")
    return acc


def test_a_clerk_exchanges_a_meter(page, live_server, account, billing_db, staff_login):
    staff_login("clara", "clerk")
    page.goto(f"{live_server.url}/accounts/{account.account_id}/")
    page.click("text=Exchange meter")
    page.fill("#id_old_final_read", "100")                 # below 120: backwards
    page.fill("#id_new_serial_no", "SN-L-2")
    page.click("form:not([action]) button[type=submit]")
    page.wait_for_selector("#id_old_final_read_error")
    shoot(page, "exchange-error")
    page.fill("#id_old_final_read", "130")
    page.click("form:not([action]) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/{account.account_id}/")
    assert "meter SN-L-2 installed" in page.inner_text("body")
    page.goto(f"{live_server.url}/accounts/{account.account_id}/meter/exchange/")
    shoot(page, "exchange")


def test_a_billing_admin_sees_the_close_form(page, live_server, account, billing_db,
                                             staff_login):
    staff_login("bea", "billing_admin")
    page.goto(f"{live_server.url}/accounts/{account.account_id}/")
    page.click("text=Final reading and close")
    assert "Open balance" in page.inner_text("body")
    shoot(page, "close")
    page.fill("#id_final_read", "150")
    page.click("form:not([action]) button[type=submit]")
    page.wait_for_selector("#final-heading")
    assert "next billing run" in page.inner_text("body")
    shoot(page, "closed")
