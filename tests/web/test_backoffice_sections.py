"""Back office customer and account pages (issue 22): breadcrumbs, sections, each paged on its
own, the ledger's entry types in words."""
import re

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def section(html, heading):
    start = html.index(f'id="{heading}"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def busy(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", name="Iris Ledger", serial="SN-S-1",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-S-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                    "staff:test")
    for i in range(25):
        billing_db.call("post_payment", a.account_id, "1.00", "cash", None, f"k-s-{i}",
                        "staff:test")
    return a


def test_the_account_page_has_breadcrumbs_sections_and_pages(staff_client, busy, billing_db):
    url = reverse("billing:account_detail", args=[busy.account_id])
    r = staff_client.get(url)
    html, words = r.content.decode(), text(r)
    start = html.index('class="breadcrumbs"')
    crumbs = html[start:html.index("</nav>", start)]
    assert reverse("billing:customer_search") in crumbs
    assert reverse("billing:customer_detail", args=[busy.customer_id]) in crumbs
    for name in ("Overview", "Bills", "Payments", "Readings", "Statement"):
        assert f">{name}</a>" in html
    # 25 payments: page 1 of 2 (20), the newest first; the statement (26): its last page
    receipts = billing_db.rows("SELECT receipt_no FROM v_payments WHERE account_id = %s "
                               "ORDER BY payment_id DESC", busy.account_id)
    pays = section(html, "payments-heading")
    assert receipts[0]["receipt_no"] in pays and receipts[24]["receipt_no"] not in pays
    assert "Page 1 of 2 (25 in all)" in words and "Page 2 of 2 (26 in all)" in words
    assert 'href="?payments=2#payments-heading"' in html
    second = staff_client.get(url, {"payments": 2, "statement": 2})
    assert receipts[24]["receipt_no"] in section(second.content.decode(), "payments-heading")
    assert 'href="?statement=2&amp;payments=1#payments-heading"' in second.content.decode()
    assert 'href="?statement=1#statement-heading"' in html         # the older entries
    # the statement in posting order, its last page first (the 6 newest entries); types in words
    start = html.index('class="statement"')
    entries = re.findall(r'<td class="nowrap">[^<]*</td>\s*<td>([^<]*)</td>',
                         html[start:html.index("</table>", start)])
    assert entries == ["Payment"] * 6
    page1 = staff_client.get(url, {"statement": 1}).content.decode()
    start = page1.index('class="statement"')
    entries = re.findall(r'<td class="nowrap">[^<]*</td>\s*<td>([^<]*)</td>', page1[start:])
    assert entries[0] == "Bill" and entries[1:20] == ["Payment"] * 19


def test_the_customer_page_has_breadcrumbs_sections_and_pages(staff_client, busy):
    r = staff_client.get(reverse("billing:customer_detail", args=[busy.customer_id]))
    html, words = r.content.decode(), text(r)
    assert "<title>Iris Ledger" in html and "<section" not in html[:html.index("</title>")]
    assert 'class="breadcrumbs"' in html and "Page 1 of 2 (25 in all)" in words
    assert html.count('id="bills-heading"') == 1
    assert 'href="?payments=2#payments-heading"' in html


def test_a_section_that_fits_one_page_is_not_counted_apart(staff_client, busy, billing_db):
    """The first page of a section reads one row more than it shows: a section of fewer rows
    (one bill, one reading) is counted from its page, with no COUNT query; the payments (25,
    more than a page) are still counted, and every page shows the right rows."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    url = reverse("billing:account_detail", args=[busy.account_id])
    with CaptureQueriesContext(connections["billing"]) as queries:
        words = text(staff_client.get(url))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*) AS `__count`" in q["sql"]]
    assert any("v_payments" in q for q in counts) and any("v_staff_statement" in q for q in counts)
    assert not any("v_bill_summary" in q or "v_meter_reading" in q for q in counts), counts
    assert "Page 1 of 2 (25 in all)" in words
    receipts = [r["receipt_no"] for r in billing_db.rows(
        "SELECT receipt_no FROM v_payments WHERE account_id = %s ORDER BY payment_id DESC",
        busy.account_id)]
    shown = []
    for number in (1, 2):
        html = staff_client.get(url, {"payments": number}).content.decode()
        shown += re.findall(r"R\d{4}-\d+", section(html, "payments-heading"))
    assert shown == receipts
