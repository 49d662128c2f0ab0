"""Bank files in headless Chromium (issue 24 §2): a billing admin uploads a file, reads the
preview with its flagged lines, posts it and reads the result, then downloads the refused
lines; every bank-file page at 1280 and 390 px without sideways scrolling (screenshots in
var/screens/). Also issues 21/22's small items: the staff bills table fits at 1280 px and
scrolls inside its own box at 390 px; the favicon; the logged-out pages of both sides."""
import datetime as dt
from pathlib import Path

import pytest

from e2e.conftest import SCREENS, screenshots
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def shoot(page, name):
    """Screenshots at 1280 and 390 px; the page never scrolls sideways."""
    screenshots(page, f"bankfile-{name}")


@pytest.fixture
def accounts(billing_db):
    """Two accounts with a bill each (the second a final, estimated-looking long row)."""
    make_tariff(billing_db, code="RES")
    accs = [make_metered_account(billing_db, tariff_code="RES", serial=f"SN-BB-{i}",
                                 opened_on=real.before) for i in (1, 2)]
    for i, a in enumerate(accs, 1):
        billing_db.call("record_reading", f"SN-BB-{i}", str(real.before_end), 1000 * i, "field",
                        "staff:t")
        billing_db.call("bill_account", a.account_id, str(real.before), str(real.before_end),
                        str(real.today), 14, "staff:t")
        billing_db.call("bill_account", a.account_id, str(real.last), str(real.last_end),
                        str(real.today), 14, "staff:t")
    return accs


def test_upload_preview_post_and_refused_lines(page, live_server, accounts, billing_db,
                                               staff_login, tmp_path):
    a, b = accounts
    staff_login("badmin", "billing_admin")
    page.click("nav >> text=Bank files")
    assert page.locator("h1").inner_text() == "Bank files"
    shoot(page, "list-empty")
    page.click("text=Upload a bank file")
    shoot(page, "upload")
    with page.expect_download() as got:
        page.click("main >> text=Download the template")
    template = Path(got.value.path()).read_text()
    assert template.startswith("account_no,amount,method,paid_at,key")

    bad = tmp_path / "bad.csv"
    bad.write_text("acct,amt\nA1,1\n")
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('Upload and preview')")
    assert "The first line must be the header" in page.inner_text("#id_file_error")
    shoot(page, "upload-refused")

    paid = f"{real.today - dt.timedelta(days=1)} 10:00:00"
    good = tmp_path / "lockbox-very-long-file-name-from-the-bank-2026-11-29-000123456789.csv"
    good.write_text("account_no,amount,method,paid_at,key\n"
                    f"{a.account_no},10.00,bank_transfer,{paid},bank-000000000000000000001\n"
                    f"{a.account_no},2.50,bank_transfer,{paid},bank-000000000000000000002\n"
                    f"{b.account_no},30.00,cheque,{paid},bank-000000000000000000003\n"
                    f"A99999999,5.00,bank_transfer,{paid},bank-000000000000000000004\n"
                    f"{b.account_no},1.234,bank_transfer,{paid},bank-000000000000000000005\n")
    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('Upload and preview')")
    assert "Staged 5 lines" in page.inner_text(".messages")
    assert page.locator("h2#summary-heading").inner_text() == "Preview"
    assert page.locator("[data-count=pending]").inner_text() == "5"
    assert page.locator("table.bankfile-flagged tbody tr").count() == 2
    assert page.locator("table.bankfile-accounts tbody tr").count() == 3
    shoot(page, "preview")

    page.click("button:has-text('Post this batch')")
    assert "3 posted, 0 replayed, 2 refused" in page.inner_text(".messages")
    assert page.locator("h2#summary-heading").inner_text() == "Result"
    assert page.locator("[data-count=posted]").inner_text() == "3"
    assert page.locator("[data-amount=posted]").inner_text().endswith("42.50")
    assert page.locator("table.bankfile-lines tr.outcome-posted a[href*='/payments/']").count() == 3
    assert "There is no account with number \u201cA99999999\u201d." in page.locator(
        "table.bankfile-lines tr.outcome-refused").first.inner_text()
    shoot(page, "result")
    # at a phone's width each line is a card: the reason is on the screen, not in a column
    # scrolled out of the box (found by a walk of the forms at 390 px)
    page.set_viewport_size({"width": 390, "height": 844})
    reason = page.locator("table.bankfile-lines tr.outcome-refused td.reason").first
    box = reason.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "result-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as got:
        page.click("text=Download the refused lines (CSV)")
    refused = Path(got.value.path()).read_text().splitlines()
    assert len(refused) == 3 and refused[1].startswith("A99999999,5.00,")
    assert refused[0].endswith(",line_no,reason")       # the page's sentence in the file too
    assert "There is no account with number" in refused[1]

    page.click("button:has-text('Post again')")
    assert "Nothing was posted" in page.inner_text(".messages")
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 3
    page.click(".breadcrumbs >> text=Bank files")
    assert page.locator("table.bankfile-batches tbody tr").count() == 1
    shoot(page, "list")


def test_the_bills_table_fits_at_1280_and_is_cards_at_390(page, live_server, accounts,
                                                          billing_db, staff_login):
    """At 390 px each bill (and payment) is a card with its cells labelled: the table scrolled
    sideways in its box, with the amounts out of sight."""
    a, _ = accounts
    staff_login("clerk1", "clerk")
    for path in (f"/accounts/{a.account_id}/", f"/customers/{a.customer_id}/"):
        page.goto(live_server.url + path)
        box = page.locator(".table-scroll:has(caption:text('Bills'))").first
        page.set_viewport_size({"width": 1280, "height": 900})
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"bills-table{path.replace('/', '-')}1280.png"),
                        full_page=True)
        inner = box.evaluate("e => e.scrollWidth - e.clientWidth")
        assert inner <= 1, f"the bills table of {path} overflows its box at 1280 px by {inner}px"
        page.set_viewport_size({"width": 390, "height": 900})
        assert box.evaluate("e => e.scrollWidth - e.clientWidth") <= 1   # nothing hidden in it
        for label in ("Total", "Open", "Status"):
            cells = page.locator(f"table.bills-table td[data-label={label}]")
            assert cells.count() >= 1
            b = cells.first.bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= 390, (path, label, b)
        page_overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert page_overflow <= 1, f"{path} scrolls sideways at 390 px by {page_overflow}px"
        page.screenshot(path=str(SCREENS / f"bills-table{path.replace('/', '-')}390.png"),
                        full_page=True)


def test_favicon_and_the_logged_out_pages(page, live_server, billing_db, staff_login):
    staff_login("clerk2", "clerk")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(live_server.url + icon).status == 200
    page.click("header >> text=Log out")
    assert page.locator("h1").inner_text() == "You are logged out"
    shoot(page, "staff-logged-out")
    page.click("main >> text=Log in again")
    assert page.url.endswith("/login/")
    page.goto(live_server.url + "/my/login/")
    assert page.locator("link[rel=icon]").get_attribute("href") == icon
    page.goto(live_server.url + "/my/logged-out/")
    assert page.locator("h1").inner_text() == "You are logged out"
    shoot(page, "portal-logged-out")
    page.click("main >> text=Log in again")
    assert page.url.endswith("/my/login/")
