"""The day's collections and the drawer close in headless Chromium (issue 24 §4): their payments
in pages (2 a page here; 50 and 200 in the app), the pager moving through them, the day's and
the cashier's figures on every page; at 1280 and 390 px, screenshots in var/screens/, no page
scrolling sideways."""
import re

import pytest

from billing.views.payments import CollectionsTodayView, DrawerCloseView
from e2e.conftest import screenshots
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def words(page, selector):
    """The text of the element, blanks (tabs of table cells) collapsed."""
    return re.sub(r"\s+", " ", page.inner_text(selector))


def test_a_clerk_pages_through_the_days_payments_and_her_drawer(page, live_server, billing_db,
                                                                staff_login, monkeypatch):
    monkeypatch.setattr(CollectionsTodayView, "PER_PAGE", 2)
    monkeypatch.setattr(DrawerCloseView, "PER_PAGE", 2)
    make_tariff(billing_db, code="RES")
    acc = make_metered_account(billing_db, tariff_code="RES", serial="SN-E-1", opened_on=real.last)
    for n, (amount, method, cashier) in enumerate((("5.00", "cash", "staff:clerk5"),
                                                    ("2.50", "card", "staff:clerk5"),
                                                    ("1.25", "cash", "staff:other"),
                                                    ("4.00", "cash", "staff:clerk5"),
                                                    ("3.00", "cheque", "staff:other"))):
        billing_db.call("post_payment", acc.account_id, amount, method, None, f"k-{n}", cashier)
    staff_login("clerk5", "clerk")
    page.goto(f"{live_server.url}/payments/today/")
    assert "Page 1 of 3 (5 in all)" in words(page, "#payments")
    assert "Day's total 5 €15.75" in words(page, ".by-cashier")
    assert page.locator("#payments tbody tr").count() == 2
    screenshots(page, "collections-day-paged")
    page.click("#payments >> text=Next page")
    assert "Page 2 of 3" in words(page, "#payments")
    assert "Day's total 5 €15.75" in words(page, ".by-cashier")
    page.click("text=Drawer close >> nth=0")
    assert "Drawer close staff:clerk5" in words(page, "h1")
    assert "Page 1 of 2 (3 in all)" in words(page, "#payments")
    assert "Total 3 €11.50" in words(page, "table.drawer")
    screenshots(page, "drawer-close-paged")
    page.click("#payments >> text=Next page")
    assert page.locator("#payments tbody tr").count() == 1
    assert "Total 3 €11.50" in words(page, "table.drawer")
    # the printout holds the page shown; every payment of the drawer comes as a CSV
    assert "A printout holds the page shown. Download all 3 payments (CSV)" in words(page, "#payments")
    with page.expect_download() as download:
        page.click("#payments >> text=Download all 3 payments (CSV)")
    with open(download.value.path(), encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0] == "Receipt,Paid at,Account,Cashier,Method,Reference,Amount,Status"
    assert [line.split(",")[3] for line in lines[1:]] == ["staff:clerk5"] * 3
    assert [line.split(",")[6] for line in lines[1:]] == ["5.00", "2.50", "4.00"]
