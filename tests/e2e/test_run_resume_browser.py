"""A stalled billing run continued from its page in headless Chromium: the "Not moving?" card at
1280 and 390 px without sideways scrolling (screenshots in var/screens/), the button, the
progress page, the completed run."""
import pytest

from e2e.conftest import SCREENS
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def test_continue_a_stalled_run(page, live_server, billing_db, staff_login):
    make_tariff(billing_db, code="RES")
    for i in range(3):
        acc = make_metered_account(billing_db, tariff_code="RES", opened_on=real.last)
        billing_db.call("record_reading", acc.serial, str(real.last_end), 100 + i, "field",
                        "staff:t")
    run_id = billing_db.call("start_billing_run", str(real.last), str(real.last_end),
                             str(real.today), 14, "staff:t")["run_id"]
    staff_login("badmin", "billing_admin")
    page.goto(f"{live_server.url}/billing/runs/{run_id}/")
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENS / f"run-resume-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_role("heading", name="Not moving?").is_visible()
    page.get_by_role("button", name="Continue this run").click()
    page.wait_for_url("**/billing/**")
    page.goto(f"{live_server.url}/billing/runs/{run_id}/")
    for _ in range(50):
        if "completed" in page.inner_text(".badge"):
            break
        page.wait_for_timeout(200)
        page.reload()
    assert "completed" in page.inner_text(".badge")
    assert page.get_by_role("button", name="Continue this run").count() == 0
    assert billing_db.value("SELECT COUNT(*) FROM bill") == 3
