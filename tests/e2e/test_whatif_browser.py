"""The tariff what-if in headless Chromium: a billing admin opens "What if…" on a tariff, edits
the proposal in the block editor (a row added), simulates, and sees the histogram drawn from
the proposal's result, the typical levels and the most affected accounts; "Create this version"
opens the version form filled with the proposal. At 1280 and 390 px, screenshots in
var/screens/, and no page scrolls sideways."""
from decimal import Decimal

import pytest

from e2e.conftest import SCREENS
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def billed(billing_db):
    make_tariff(billing_db, code="RES", versions=[dict(
        effective_from="2020-01-01", fixed_charge="5.00", tax_rate_pct="10",
        blocks=[(Decimal(100), Decimal("0.10")), (None, Decimal("0.20"))])])
    for i, kwh in enumerate((40, 90, 150, 400, 900)):
        a = make_metered_account(billing_db, tariff_code="RES", serial=f"SN-W-{i}",
                                 opened_on=real.last, name=f"What If {i}")
        billing_db.call("record_reading", a.serial, str(real.last_end), kwh, "field", "staff:t")
    billing_db.call("run_billing", str(real.last), str(real.last_end), str(real.today), 14,
                    "staff:t")
    assert billing_db.value("SELECT COUNT(*) FROM bill") == 5


def test_the_histogram_is_drawn_from_a_proposal(page, live_server, billed, billing_db,
                                                staff_login):
    staff_login("ba", "billing_admin")
    page.goto(live_server.url + "/tariffs/")
    page.click("text=What if…")
    assert page.input_value("#id_fixed_charge") == "5.00"
    # the proposal: a middle block (100-300 kWh at 0.15) and 0.30 above, fixed 4.00
    page.fill("#id_fixed_charge", "4.00")
    page.click("#add-block")
    page.fill("#id_blocks-1-up_to_kwh", "300")
    page.fill("#id_blocks-1-rate", "0.15")
    page.fill("#id_blocks-2-up_to_kwh", "")
    page.fill("#id_blocks-2-rate", "0.30")
    page.click("#simulate")
    page.wait_for_selector("#whatif-result")

    sim = billing_db.row("SELECT * FROM v_tariff_simulation_summary")
    assert (sim["bills"], sim["accounts"]) == (5, 5)
    hist = {r["bucket_no"]: r["accounts"] for r in billing_db.rows(
        "SELECT bucket_no, accounts FROM v_tariff_simulation_histogram")}
    bars = page.locator("#whatif-histogram .hbar")
    assert bars.count() == 9
    widths = [bars.nth(i).bounding_box()["width"] for i in range(9)]
    # a bar is drawn exactly where the database counted accounts, longest for the fullest
    assert [w > 0 for w in widths] == [hist[b] > 0 for b in range(1, 10)]
    assert widths.index(max(widths)) + 1 == max(hist, key=lambda b: (hist[b], -b))
    assert page.locator("#accounts-up").inner_text() == str(sim["accounts_up"])
    assert page.locator("#whatif-typical tbody tr").count() == 4
    assert page.locator("#whatif-affected tbody tr").count() == sim["accounts_up"] + sim["accounts_down"]

    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENS / f"whatif-result-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("#create-version")
    page.wait_for_selector("#id_effective_from")
    assert page.input_value("#id_fixed_charge") == "4.00"
    assert page.input_value("#id_blocks-1-up_to_kwh") in ("300", "300.0000")
    assert page.input_value("#id_blocks-2-rate") in ("0.3", "0.300000")
