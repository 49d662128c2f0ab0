"""Customer search: by the words of the name or address (word prefixes, FULLTEXT), or exactly
by customer number, account number, e-mail, meter serial or phone digits. An exact customer
number, account number or serial opens that record at once (the listing still finds them, as
its pages show: ?page=)."""
import pytest
from django.urls import reverse

from helpers.factories import make_customer, make_metered_account, make_tariff

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


def search(client, q, page=None):
    r = client.get(reverse("billing:customer_search"),
                   {"q": q} if page is None else {"q": q, "page": page})
    assert r.status_code == 200
    return r, [c.full_name for c in r.context["results"]]


def test_by_the_start_of_a_word_of_the_name_case_insensitive(staff_client, people):
    _, names = search(staff_client, "ada")
    assert names == ["Ada Lovelace", "Carol Adams"]      # ordered by name


def test_every_word_must_start_a_word_of_the_name_in_any_order(staff_client, people):
    assert search(staff_client, "lovelace ADA")[1] == ["Ada Lovelace"]
    assert search(staff_client, "ada babb")[1] == []


def test_the_middle_of_a_word_does_not_match(staff_client, people):
    """Decision (docs/webapp.md): names are searched by word prefixes through a FULLTEXT index,
    not by any substring (which would scan every customer)."""
    assert search(staff_client, "velace")[1] == []


def test_short_words_stopwords_and_accents(staff_client, people, billing_db):
    for name in ("Ann Li", "Will May", "Zoë Müller", "Ed Al_Sayed"):
        make_customer(billing_db, name=name)
    assert search(staff_client, "li")[1] == ["Ann Li"]           # shorter than a FULLTEXT token
    assert search(staff_client, "ann li")[1] == ["Ann Li"]
    assert search(staff_client, "will")[1] == ["Will May"]       # a stopword elsewhere
    assert search(staff_client, "muller")[1] == ["Zoë Müller"]   # the collation's equivalence
    assert search(staff_client, "l_s")[1] == []                  # no LIKE wildcard
    assert search(staff_client, "al_sayed")[1] == ["Ed Al_Sayed"]


def test_search_syntax_in_the_query_is_only_text(staff_client, people):
    # the operators of boolean mode are not passed on: "-lovelace" does not exclude
    assert search(staff_client, '+ada -"lovelace" (*')[1] == ["Ada Lovelace"]
    assert search(staff_client, "*")[1] == []
    assert search(staff_client, "%")[1] == []


def test_by_customer_number(staff_client, people):
    r = staff_client.get(reverse("billing:customer_search"),
                         {"q": people["bob"].customer_no.lower()})
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:customer_detail", args=[people["bob"].customer_id])
    r, names = search(staff_client, people["bob"].customer_no.lower(), page=1)
    assert names == ["Bob Babbage"]
    assert reverse("billing:customer_detail", args=[people["bob"].customer_id]).encode() in r.content


def test_by_account_number(staff_client, people):
    r = staff_client.get(reverse("billing:customer_search"), {"q": people["ada"].account_no})
    assert r["Location"] == reverse("billing:account_detail", args=[people["ada"].account_id])
    assert search(staff_client, people["ada"].account_no, page=1)[1] == ["Ada Lovelace"]


def test_by_email(staff_client, people):
    assert search(staff_client, "ADA@example.org")[1] == ["Ada Lovelace"]
    assert search(staff_client, "carol@example.org")[1] == ["Carol Adams"]


def test_by_meter_serial(staff_client, people):
    r = staff_client.get(reverse("billing:customer_search"), {"q": "sn-bob-2"})
    assert r["Location"] == reverse("billing:account_detail", args=[people["bob"].account_id])
    assert search(staff_client, "sn-bob-2", page=1)[1] == ["Bob Babbage"]


def test_numbers_match_exactly_not_in_part(staff_client, people):
    assert search(staff_client, "SN-BOB")[1] == []
    assert search(staff_client, people["ada"].account_no[:-1] + "X")[1] == []


def test_no_match_says_so_and_an_empty_query_shows_no_results(staff_client, people):
    r, names = search(staff_client, "zzz-nobody")
    assert names == [] and b"No customer found" in r.content
    r = staff_client.get(reverse("billing:customer_search"), {"q": "  "})
    assert r.context["results"] is None


def test_results_show_the_account_count(staff_client, people):
    r, _ = search(staff_client, "Ada Lovelace")
    assert [c.accounts for c in r.context["results"]] == [1]
