"""A server error answers with the page of its side (config.errorpages): a staff URL with the
staff's header and the request id to quote, a portal URL with the portal's page. Django's own
handler gave every URL the portal's 500 page."""
import pytest
from django.test import RequestFactory

import billing.views.customers
from config.errorpages import server_error

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def test_a_server_error_on_a_staff_page_shows_the_staff_page(staff_client, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(billing.views.customers.selectors, "search_customers", boom)
    staff_client.raise_request_exception = False
    r = staff_client.get("/customers/?q=ada")
    assert r.status_code == 500
    page = r.content.decode()
    assert '<a class="brand" href="/">Electricity billing</a>' in page
    assert "Something went wrong on our side" in page and "Staff use only." in page
    assert "My electricity account" not in page and "portal.css" not in page
    assert 'href="/my/"' not in page
    assert f"reference <strong>{r['X-Request-ID']}</strong>" in page


@pytest.mark.parametrize("path, staff", [("/customers/", True), ("/accounts/7/pay/", True),
                                         ("/login/", True), ("/my/", False),
                                         ("/my/bills/3/", False), ("/mystery/", True)])
def test_each_side_gets_its_own_500_page(path, staff):
    r = server_error(RequestFactory().get(path))
    page = r.content.decode()
    assert r.status_code == 500 and "Something went wrong on our side" in page
    assert ("Electricity billing</a>" in page) is staff
    assert ("My electricity account" in page) is not staff
