"""Back office search (issue 22): by phone and address too; results tell two customers of the
same name apart (service address, status, balance); pages beyond 50."""

import pytest
from django.urls import reverse

from billing.formatting import money
from helpers.factories import make_customer, make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def names(response):
    return [c.full_name for c in response.context["results"]]


@pytest.fixture
def helens(billing_db):
    make_tariff(billing_db, code="RES")
    one = make_metered_account(billing_db, tariff_code="RES", name="Helen Young",
                               service_address="12 Elm Street, Northtown", serial="SN-H-1")
    two = make_metered_account(billing_db, tariff_code="RES", name="Helen Young",
                               service_address="7 Harbour Road, Southport", serial="SN-H-2")
    billing_db.call("update_customer", two.customer_id, "Helen Young", None, "+1 (555) 010-7788",
                    "PO Box 9, Southport", "staff:test")
    return one, two


def get(client, **params):
    return client.get(reverse("billing:customer_search"), params)


def test_two_customers_of_the_same_name_are_told_apart(staff_client, helens, billing_db):
    one, two = helens
    r = get(staff_client, q="helen young")
    assert names(r) == ["Helen Young", "Helen Young"]
    words = text(r)
    for acc, address in ((one, "12 Elm Street, Northtown"), (two, "7 Harbour Road, Southport")):
        balance = billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                                   acc.account_id)
        assert f"{acc.account_no} · {address} · open · balance {money(balance)}" in words


def test_by_phone_digits_whatever_the_punctuation(staff_client, helens):
    one, two = helens
    for q in ("15550107788", "+1 555 010 7788", "1-555-010-7788"):
        assert [c.customer_id for c in get(staff_client, q=q).context["results"]] == [
            two.customer_id], q
    assert names(get(staff_client, q="5550107788")) == []       # digits match whole, not in part


def test_by_address_words(staff_client, helens):
    one, two = helens
    assert [c.customer_id for c in get(staff_client, q="elm north").context["results"]] == [
        one.customer_id]                                          # the service address
    assert [c.customer_id for c in get(staff_client, q="harbour").context["results"]] == [
        two.customer_id]
    assert [c.customer_id for c in get(staff_client, q="southport").context["results"]] == [
        two.customer_id]                                          # postal and service address


def test_an_exact_number_opens_the_record(staff_client, helens):
    one, two = helens
    r = get(staff_client, q=two.account_no)
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:account_detail", args=[two.account_id])
    r = get(staff_client, q=one.customer_no)
    assert r["Location"] == reverse("billing:customer_detail", args=[one.customer_id])


def test_results_go_beyond_fifty_in_pages(staff_client, billing_db):
    for i in range(53):
        make_customer(billing_db, name=f"Pat Page{i:02d}")
    first = get(staff_client, q="pat")
    assert len(names(first)) == 50 and "Customers 1–50 and more" in text(first)
    assert 'href="?q=pat&amp;page=2"' in first.content.decode()
    second = get(staff_client, q="pat", page=2)
    assert names(second) == [f"Pat Page{i:02d}" for i in range(50, 53)]
    assert "Customers 51–53 found" in text(second) and "page=3" not in second.content.decode()
