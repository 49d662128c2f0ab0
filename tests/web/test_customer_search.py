"""Customer search: by part of the name, customer number, account number, e-mail, meter serial."""
import pytest
from django.urls import reverse

from factories import make_customer, make_metered_account, make_tariff

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def people(billing_db):
    db = billing_db
    tariff = make_tariff(db, code="RES")
    ada = make_metered_account(db, tariff_code=tariff, name="Ada Lovelace", serial="SN-ADA-1")
    db.call("update_customer", ada.customer_id, "Ada Lovelace", "ada@example.org", "555-0100",
            "1 Main St", "staff:test")
    bob = make_metered_account(db, tariff_code=tariff, name="Bob Babbage", serial="SN-BOB-2")
    make_customer(db, name="Carol Adams", email="carol@example.org")
    return {"ada": ada, "bob": bob}


def search(client, q):
    r = client.get(reverse("billing:customer_search"), {"q": q})
    assert r.status_code == 200
    return r, [c.full_name for c in r.context["results"]]


def test_by_part_of_the_name_case_insensitive(staff_client, people):
    _, names = search(staff_client, "ada")
    assert names == ["Ada Lovelace", "Carol Adams"]      # ordered by name


def test_by_customer_number(staff_client, people):
    r, names = search(staff_client, people["bob"].customer_no.lower())
    assert names == ["Bob Babbage"]
    assert reverse("billing:customer_detail", args=[people["bob"].customer_id]).encode() in r.content


def test_by_account_number(staff_client, people):
    assert search(staff_client, people["ada"].account_no)[1] == ["Ada Lovelace"]


def test_by_email(staff_client, people):
    assert search(staff_client, "ADA@example.org")[1] == ["Ada Lovelace"]
    assert search(staff_client, "carol@example.org")[1] == ["Carol Adams"]


def test_by_meter_serial(staff_client, people):
    assert search(staff_client, "sn-bob-2")[1] == ["Bob Babbage"]


def test_numbers_match_exactly_not_in_part(staff_client, people):
    assert search(staff_client, "SN-BOB")[1] == []
    assert search(staff_client, people["ada"].account_no[:-1] + "X")[1] == []


def test_no_match_says_so_and_an_empty_query_shows_no_results(staff_client, people):
    r, names = search(staff_client, "zzz-nobody")
    assert names == [] and b"No customer matches" in r.content
    r = staff_client.get(reverse("billing:customer_search"), {"q": "  "})
    assert r.context["results"] is None


def test_results_show_the_account_count(staff_client, people):
    r, _ = search(staff_client, "Ada Lovelace")
    assert [c.accounts for c in r.context["results"]] == [1]
