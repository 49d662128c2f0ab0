"""The tariff editor in headless Chromium (issue 22, "Tariffs"): a billing admin adds and removes
block rows without a reload, posts blocks with a row at fault and sees that row marked, fixes it
and posts; the list marks the version in force today and the new one "from <date>"; a tariff
without versions is removed after its confirmation page. Screenshots at 1280 and 390 px in
/tmp/tariffs-*.png; no page scrolls sideways."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from e2e.conftest import screenshots
from helpers.factories import make_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def later():
    return real.today + dt.timedelta(days=30)


def shoot(page, name):
    screenshots(page, f"tariffs-{name}", max_overflow=0, folder=Path("/tmp"))


def row_names(page):
    return page.eval_on_selector_all(
        "#blocks-table tbody tr.block-row",
        "rows => rows.map(r => [r.querySelector('.block-no').textContent,"
        " r.querySelector('input[name$=up_to_kwh]').name, r.querySelector('input[name$=rate]').name,"
        " r.querySelector('input[name$=up_to_kwh]').value, r.querySelector('input[name$=rate]').value])")


def test_block_rows_without_reload_the_row_at_fault_and_removing_a_tariff(
        page, live_server, billing_db, staff_login):
    make_tariff(billing_db, code="RES", name="Residential", versions=[dict(
        effective_from="2020-01-01", fixed_charge="5.00", tax_rate_pct="10",
        blocks=[(None, Decimal("0.20"))])])
    make_tariff(billing_db, code="TYPO", name="Created by mistake", versions=[])
    staff_login("ba", "billing_admin")

    page.goto(live_server.url + "/tariffs/RES/versions/new/")
    page.evaluate("window.__sameDocument = true")
    assert row_names(page) == [["1", "blocks-0-up_to_kwh", "blocks-0-rate", "", "0.2"]]
    page.fill("#id_blocks-0-up_to_kwh", "100")
    page.fill("#id_blocks-0-rate", "0.10")
    page.click("#add-block")
    page.click("#add-block")
    page.click("#add-block")
    assert [r[0] for r in row_names(page)] == ["1", "2", "3", "4"]
    assert page.input_value("#id_blocks-TOTAL_FORMS") == "4"
    page.fill("#id_blocks-1-up_to_kwh", "300")
    page.fill("#id_blocks-1-rate", "0.15")
    page.fill("#id_blocks-2-up_to_kwh", "999")
    page.fill("#id_blocks-2-rate", "9.99")
    page.fill("#id_blocks-3-up_to_kwh", "200")      # at fault: not above block 2's 300
    page.fill("#id_blocks-3-rate", "0.25")
    # remove row 3 (999 at 9.99): the rows below move up and are numbered again
    page.click("button[aria-label='Remove block 3']")
    assert row_names(page) == [
        ["1", "blocks-0-up_to_kwh", "blocks-0-rate", "100", "0.10"],
        ["2", "blocks-1-up_to_kwh", "blocks-1-rate", "300", "0.15"],
        ["3", "blocks-2-up_to_kwh", "blocks-2-rate", "200", "0.25"]]
    assert page.input_value("#id_blocks-TOTAL_FORMS") == "3"
    page.click("#add-block")
    page.fill("#id_blocks-3-rate", "0.30")
    assert page.evaluate("window.__sameDocument === true")     # no reload so far
    page.fill("#id_effective_from", str(later()))
    page.click("button:has-text('Add version')")
    page.wait_for_load_state()

    # the post came back with row 3 marked and saying why
    marked = page.locator("#blocks-table tr.row-error")
    assert marked.count() == 1
    assert marked.locator(".block-no").inner_text() == "3"
    says = page.locator("#blocks-table tr.row-error + tr.block-row-errors")
    assert says.inner_text().strip() == "Block 3: the limit must be above block 2\u2019s (300 kWh)."
    assert billing_db.value("SELECT COUNT(*) FROM tariff_version") == 1
    shoot(page, "version-row-at-fault")

    page.fill("#id_blocks-2-up_to_kwh", "500")
    page.click("button:has-text('Add version')")
    page.wait_for_url(live_server.url + "/tariffs/")
    blocks = billing_db.rows(
        "SELECT b.block_no, b.up_to_kwh, b.rate FROM tariff_block b JOIN tariff_version v "
        "USING (tariff_version_id) WHERE v.effective_from = %s ORDER BY b.block_no", later())
    assert [(b["up_to_kwh"], b["rate"]) for b in blocks] == [
        (Decimal("100"), Decimal("0.1")), (Decimal("300"), Decimal("0.15")),
        (Decimal("500"), Decimal("0.25")), (None, Decimal("0.3"))]

    # the list: the version in force today, the new one from its date
    res = page.locator("section.card", has=page.locator("h2", has_text="RES"))
    assert res.locator("tr.version-in_force").inner_text().startswith("1 Jan 2020")
    assert f"from {later():%-d %b %Y}" in res.locator("tr.version-future").inner_text()
    shoot(page, "list")

    # the what-if's proposal uses the same editor: its rows have the same buttons
    page.goto(live_server.url + "/tariffs/RES/what-if/")
    assert page.locator("#blocks-table .remove-block").count() == 1
    page.click("#add-block")
    assert page.locator("#blocks-table .remove-block").count() == 2
    shoot(page, "whatif-form")
    page.goto(live_server.url + "/tariffs/")

    # remove TYPO: the list's button, the confirmation page, then the removal
    typo = page.locator("section.card", has=page.locator("h2", has_text="TYPO"))
    typo.locator("a:has-text('Remove')").click()
    page.wait_for_url(live_server.url + "/tariffs/TYPO/remove/")
    assert "cannot be undone" in page.inner_text("main")
    shoot(page, "remove-confirm")
    page.click("button:has-text('Remove tariff TYPO')")
    page.wait_for_url(live_server.url + "/tariffs/")
    assert "Tariff TYPO (Created by mistake) removed." in page.inner_text("main")
    assert billing_db.value("SELECT COUNT(*) FROM tariff WHERE code = 'TYPO'") == 0


def test_a_tariff_with_only_closed_accounts_is_not_offered_for_removal(
        page, live_server, billing_db, staff_login):
    # remove_tariff refuses it (an account, open or closed): the list offers no button, and the
    # confirmation page, reached by its address, says why instead of offering the removal
    make_tariff(billing_db, code="OLD", name="Closed long ago", versions=[])
    acc = make_account(billing_db, tariff_code="OLD", opened_on="2026-01-01")
    billing_db.call("close_account", acc, "2026-01-31", "staff:test")
    staff_login("ba", "billing_admin")
    page.goto(live_server.url + "/tariffs/")
    old = page.locator("section.card", has=page.locator("h2", has_text="OLD"))
    assert "0 open accounts" in old.inner_text()
    assert old.locator("a:has-text('Remove')").count() == 0
    page.goto(live_server.url + "/tariffs/OLD/remove/")
    says = page.locator("[role=alert]").inner_text()
    assert "cannot be removed: closed accounts, a what-if simulation or its own dunning days " \
           "refer to it" in says
    assert page.locator("button.danger").count() == 0
    shoot(page, "remove-refused")
