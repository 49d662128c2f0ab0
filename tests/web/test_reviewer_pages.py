"""What an outside reviewer found walking every page in Chromium, each kept fixed:

- a GET to a POST-only address (a form button's: approve, post, issue, settle) answered 405 with
  an empty body; now the side's styled error page
  (config.errorpages.MethodNotAllowedPageMiddleware), status 405 and the Allow header kept;
- the home page's "accounts not billed since" stopped mid-sentence;
- a name with a right-to-left override (U+202E) reversed the customer number after it
  ("1030000C"): the heading and breadcrumb isolate the name (the |bdi filter);
- payment methods, reading sources and kinds, bill line kinds shown as the database's code words;
  percentages without thousands separators; a rate "0.155000" on the tariffs page but "0.1220
  per kWh" on bills: one formatter (billing.formatting) for all of them."""
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from billing import formatting
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

# POST-only addresses of the back office (ids need not exist: the method is refused first)
STAFF_POST_ONLY = ["/readings/1/approve/", "/billing/late-fees/", "/billing/previews/",
                   "/billing/runs/start/", "/billing/previews/1/issue/", "/billing/runs/1/rerun/",
                   "/payments/bank-files/2/post/", "/notices/1/retry/",
                   "/my/staff/reconcile/1/settle/"]


def assert_styled_405(r, brand):
    page = r.content.decode()
    assert r.status_code == 405
    assert "POST" in r["Allow"]
    assert r["Content-Type"].startswith("text/html")
    assert f'<a class="brand" href="{brand}">' in page
    assert "This address takes a form's button, not a link" in text(r)
    assert 'class="actions error-actions"' in page


@pytest.mark.parametrize("path", STAFF_POST_ONLY)
def test_a_get_to_a_post_only_staff_address_is_the_styled_405(billing_admin_client, path):
    r = billing_admin_client.get(path)
    assert_styled_405(r, "/")
    assert "Back to the start page" in text(r) and "Staff use only." in text(r)


def test_the_405_links_back_to_the_page_the_user_came_from(billing_admin_client):
    r = billing_admin_client.get("/billing/runs/start/",
                                 HTTP_REFERER="http://testserver/billing/runs/")
    assert_styled_405(r, "/")
    assert '<a href="http://testserver/billing/runs/">Back to the page you came from</a>' in \
        r.content.decode()
    elsewhere = billing_admin_client.get("/billing/runs/start/",
                                         HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode()


def test_a_get_to_a_post_only_portal_address_is_the_portal_405(billing_db):
    customer = make_portal_customer(billing_db)
    create_customer_login(customer.customer_id, password="Kilowatt-hours-2026")
    c = Client()
    c.force_login(CustomerLogin.objects.get(customer_id=customer.customer_id).user)
    r = c.get(reverse("portal:logout"))                    # Django's LogoutView: POST only
    assert_styled_405(r, "/my/")
    assert "Back to your account" in text(r) and "portal.css" in r.content.decode()
    r = c.put(reverse("portal:bill_list"))                 # any refused method: GET only here
    assert r.status_code == 405 and "GET" in r["Allow"]
    assert "This address takes a form's button, not a link" in text(r)


def test_a_405_with_a_body_of_its_own_is_left_alone(rf):
    from django.http import HttpResponseNotAllowed
    from config.errorpages import MethodNotAllowedPageMiddleware
    own = HttpResponseNotAllowed(["POST"], content=b'{"error": "POST only"}')
    response = MethodNotAllowedPageMiddleware(lambda request: own)(rf.get("/x/"))
    assert response.content == b'{"error": "POST only"}' and response["Allow"] == "POST"


def test_the_home_kpi_of_exceptions_is_a_whole_sentence(billing_admin_client, billing_db):
    t = text(billing_admin_client.get(reverse("billing:home")))
    assert re.search(r"Billing exceptions waiting \d+ accounts? skipped by a billing run, not "
                     r"billed since that run", t)


def test_a_right_to_left_override_in_a_name_is_isolated(staff_client, billing_db):
    make_tariff(billing_db, code="RES")
    acc = make_metered_account(billing_db, tariff_code="RES", name="\u202eabc Evil")
    page = staff_client.get(reverse("billing:customer_detail", args=[acc.customer_id]))
    html = page.content.decode()
    # the name sits in its own <bdi>: the override ends there, the number after it reads as is
    name = "<bdi>\u202eabc Evil</bdi>"
    assert f'<h1>{name} <span class="sub">{acc.customer_no}</span></h1>' in html
    assert f'<li aria-current="page">{name} ({acc.customer_no})</li>' in html
    html = staff_client.get(reverse("billing:account_detail",
                                    args=[acc.account_id])).content.decode()
    assert f"<bdi>\u202eabc Evil</bdi> ({acc.customer_no})</a></li>" in html
    assert '<span class="sub"><bdi>\u202eabc Evil</bdi></span>' in html
    from billing.templatetags.money import bdi
    assert bdi("<b>x</b>") == "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>" and bdi("") == ""


def test_a_name_beside_its_customer_number_is_isolated_on_every_staff_page():
    """Wherever a template writes a customer's name after their number or in a heading's
    sub-title (receipts, pay, refund, reversal, cancel, close, exchange, bill, audit, notices),
    the name goes through |bdi, as on the customer's page."""
    from pathlib import Path
    import billing
    root = Path(billing.__file__).parent / "templates"
    bare = re.compile(r"\{\{ customer\.customer_no \}\} \{\{ customer\.full_name \}\}"
                      r"|<span class=\"sub\">\{\{ customer\.full_name \}\}"
                      r"|\{\{ bill\.customer_name \}\}")
    found = [f"{f.relative_to(root)}: {m.group(0)}" for f in sorted(root.rglob("*.html"))
             for m in bare.finditer(f.read_text())]
    assert found == []


def test_the_shared_css_wraps_long_words_and_isolates_typed_text():
    from pathlib import Path
    import billing
    css = (Path(billing.__file__).parent / "static/billing/site.css").read_text()
    rule = re.search(r"h1, h2, h3, \.sub, \.breadcrumbs li[^{]*\{\s*overflow-wrap: anywhere;", css)
    assert rule and "dd, dt" in rule.group(0)
    assert re.search(r"bdi, \.user-text \{ unicode-bidi: isolate; \}", css)


def test_codes_read_as_labels_and_numbers_through_the_formatter():
    assert formatting.method_label("bank_transfer") == "Bank transfer"
    assert formatting.method_label("online") == "Online"
    assert formatting.method_label("cash") == "Cash"
    assert formatting.source_label("smart") == "Smart meter"
    assert formatting.source_label("field") == "Field visit"
    assert formatting.reading_kind_label("estimated") == "Estimate"
    assert formatting.line_kind_label("fixed") == "Fixed charge"
    assert formatting.line_kind_label("late_fee") == "Late fee"
    assert formatting.line_kind_label("something_new") == "Something new"
    assert formatting.exception_detail("reading 3784 of 2026-11-30 awaits review") == (
        "reading 3784 of 30 Nov 2026 awaits review")
    assert formatting.percent(D("1059832.07")) == "1,059,832.07%"
    assert formatting.percent(D("20.00")) == "20%" and formatting.percent(D("12.5")) == "12.50%"
    assert formatting.percent(D("-3.25"), sign=False) == "-3.25"
    assert formatting.rate(D("0.155000")) == "0.1550 per kWh"
    assert formatting.rate(D("0.122")) == "0.1220 per kWh"
    assert formatting.rate(D("0.155125")) == "0.155125 per kWh"          # never rounded away


def test_the_tariffs_page_writes_rates_as_bills_do(billing_admin_client, billing_db):
    make_tariff(billing_db, code="RATES", versions=[dict(
        effective_from="2020-01-01", fixed_charge="5.00", tax_rate_pct="20",
        blocks=[(100, "0.155"), (None, "0.2")])])
    t = text(billing_admin_client.get(reverse("billing:tariff_list")))
    assert "up to 100 kWh: 0.1550 per kWh" in t and "above: 0.2000 per kWh" in t
    assert "0.155000" not in t


def test_payment_methods_are_labels_on_the_receipt_and_collections(staff_client, billing_db):
    make_tariff(billing_db, code="RES")
    acc = make_metered_account(billing_db, tariff_code="RES")
    payment_id = billing_db.call("post_payment", acc.account_id, "12.00", "bank_transfer", None,
                                 "k-lab", "staff:clara")["payment_id"]
    receipt = text(staff_client.get(reverse("billing:payment_receipt", args=[payment_id])))
    assert "Method Bank transfer" in receipt
    day = text(staff_client.get(reverse("billing:collections_day")))
    assert "Bank transfer" in day and "bank_transfer" not in day
