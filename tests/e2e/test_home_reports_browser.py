"""Each role's home page and the reports in headless Chromium, on the demo data (bin/demo-data):
the Chart.js charts are drawn (from the project's static files), every chart has its table, the
pages do not scroll sideways at 1280 and 390 px; screenshots in var/screens/home-*.png and
var/screens/report-*.png for a person to look at."""
import re

import pytest

from e2e.conftest import SCREENS

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def demo(demo):
    """The demo data (tests/conftest.py) and a payment taken today by the clerk of these tests
    (their recent work and today's collections)."""
    account = demo.value("SELECT account_id FROM v_aging ORDER BY total_open DESC LIMIT 1")
    paid_at = demo.value("SELECT DATE_FORMAT(NOW() - INTERVAL 1 SECOND, '%Y-%m-%d %H:%i:%s')")
    demo.call("post_payment", account, "12.50", "cash", paid_at, "e2e-home-1", "staff:clerk1")
    return demo


def shoot(page, name):
    """Screenshots at both widths; the page never scrolls sideways; every chart is drawn."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)                    # Chart.js redraws on resize
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} at {width}px scrolls sideways by {overflow}px"
        if width == 1280:          # and no table overflows its box at a desk's width
            wide = page.evaluate("""() => Array.from(document.querySelectorAll('.table-scroll'))
                .filter(t => t.offsetParent !== null && t.scrollWidth > t.clientWidth + 1)
                .map(t => t.querySelector('table').className)""")
            assert wide == [], f"{name} at 1280px: tables wider than their box: {wide}"
    page.set_viewport_size({"width": 1280, "height": 900})


def charts_drawn(page):
    """[(canvas data-chart, bars drawn, the chart's table rows)] of the page."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('canvas[data-chart]'))
        .map(c => { const ch = window.Chart && window.Chart.getChart(c);
                    const fig = c.closest('figure');
                    return [c.getAttribute('data-chart'),
                            ch ? ch.getDatasetMeta(0).data.length : -1,
                            fig.querySelectorAll('table.chart-table tbody tr').length]; })""")


def test_a_manager_home_and_the_reports(page, live_server, demo, staff_login):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    staff_login("mgr1", "manager")
    page.goto(live_server.url + "/")
    assert page.locator("#kpi-heading").inner_text() == "How collection is going"
    k = demo.row("SELECT * FROM v_kpi_summary")
    assert f"{k['dso_days']} days" in page.locator("#kpi-dso").inner_text()
    assert charts_drawn(page) == [["trend-data", 12, 12]]
    assert page.locator("#queue").count() == 0
    shoot(page, "home-manager")
    for name in ("aging", "collections", "revenue", "consumption"):
        page.goto(live_server.url + f"/reports/{name}/")
        drawn = charts_drawn(page)
        assert len(drawn) == 1 and drawn[0][1] > 0 and drawn[0][1] == drawn[0][2], (name, drawn)
        assert page.locator("tfoot tr.totals").count() == 1
        assert page.locator("a:has-text('Download XLSX')").count() == 1
        shoot(page, f"report-{name}")
    # a filter in the browser: the aging report of one tariff, only the overdue
    page.goto(live_server.url + "/reports/aging/")
    page.select_option("#id_tariff", "SMB")
    page.check("#id_overdue_only")
    page.click("button:has-text('Show')")
    assert "tariff=SMB" in page.url and "overdue_only=on" in page.url
    rows = page.locator("table.report tbody tr")
    expected = demo.value("SELECT COUNT(*) FROM v_report_aging WHERE tariff_code = 'SMB' "
                          "AND overdue > 0")
    assert rows.count() == min(expected, 50) and expected > 0
    assert all(r.locator("td").nth(3).inner_text() == "SMB" for r in rows.all())
    assert errors == []


def test_a_billing_admin_home(page, live_server, demo, staff_login):
    staff_login("badmin1", "billing_admin")
    page.goto(live_server.url + "/")
    assert charts_drawn(page) == [["trend-data", 12, 12]]
    for section in ("#collection", "#aging", "#queue", "#today", "#recent"):
        assert page.locator(section).count() == 1, section
    shoot(page, "home-billing-admin")


def test_a_clerk_home(page, live_server, demo, staff_login):
    staff_login("clerk1", "clerk")
    page.goto(live_server.url + "/")
    assert page.locator("#collection").count() == 0 and charts_drawn(page) == []
    waiting = demo.value("SELECT COUNT(*) FROM meter_reading WHERE status = 'review'")
    assert page.locator("#queue-heading").inner_text() == (
        f"Review queue: {waiting} reading{'s' if waiting != 1 else ''} waiting")
    assert "€12.50" in page.locator("#today-mine").inner_text()
    # in words, with the receipt's and the account's numbers (was "payment posted, account 309")
    recent = page.locator("#recent").inner_text()
    assert re.search(r"Payment posted, receipt R\d{4}-\d+, account A\d{7}", recent), recent
    shoot(page, "home-clerk")


def test_the_collectors_lists(page, live_server, demo, staff_login):
    """The dunning list and the notices (paged since 2026-11-30): the heading counts every
    overdue account, the first page shows the view's first rows, and neither page scrolls
    sideways."""
    staff_login("mgr1", "manager")
    page.goto(live_server.url + "/dunning/")
    n = demo.value("SELECT COUNT(*) FROM v_dunning")
    assert n > 0
    rows = page.locator("table tbody tr")
    assert rows.count() == min(n, 50)
    first = demo.value("SELECT account_no FROM v_dunning "
                       "ORDER BY level_no DESC, amount_overdue DESC, account_id LIMIT 1")
    assert rows.first.locator("td").first.inner_text() == first
    assert f"{n:,} account" in page.locator("main").inner_text()
    shoot(page, "dunning")
    page.goto(live_server.url + "/notices/?status=all")
    total = demo.value("SELECT COUNT(*) FROM v_notices")
    assert page.locator("table tbody tr").count() == min(total, 50)
    if total > 50:
        assert f"({total:,} in all)" in page.locator("nav.pager").inner_text()
    shoot(page, "notices")
