"""The staff search by name words reads customer_name_word (migration 0117, its triggers) in
the page's order instead of the FULLTEXT index (issue 24 §4): the same customers, the same
order, the same pages, whichever path answers. Each comparison runs the query twice: as the
page runs it, and with _names_by_word switched off (WORD_PAGE_MAX = 0), the FULLTEXT path."""
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import selectors
from helpers.factories import make_customer
from web.searchhelp import both_paths, search

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

NAMES = ["Sean O'Brien", "Anna Smith-Jones", "J.Brown", "Ed Al_Sayed", "Zoë Müller",
         "Hans MULLER", "x(Foo)bar", "Ann D'Arcy", "Li«Wei»", "Kim 123abc", "Ann’Lee",
         "Bo/Baz", "Tom&Jerry", "ÅSA Öberg", "Smith Smith", "Smithers Jones", "Ann Smith",
         "Jo Smithson", "Mary Smith", "Al Smith", "Blacksmith Ann"]


@pytest.fixture
def named(billing_db):
    return {n: make_customer(billing_db, name=n) for n in NAMES}


@pytest.mark.parametrize("q", ["smith", "SMITH", "smi", "smith li", "jones", "brien", "obrien",
                               "arcy", "muller", "müller", "oberg", "asa", "foo", "bar", "wei",
                               "123", "abc", "lee", "baz", "jerry", "al_sayed", "sayed",
                               "blacksmith", "ann", "ann d", "nobody", "ann smith",
                               "smith ann", "anna jones", "jones anna", "smith smith",
                               "smithers jones", "mary smi", "smith mary x", "sean brien",
                               "zoë müller", "hans muller", "al sayed", "al_sayed ed",
                               "ann lee", "jo smith", "smith nobody", "kim abc 123"])
def test_name_words_find_what_the_fulltext_index_finds(staff_client, monkeypatch, named, q):
    by_word, fulltext = both_paths(staff_client, monkeypatch, q)
    assert by_word == fulltext


def test_one_word_names_in_order(staff_client, named):
    assert search(staff_client, "smith")[0] == [
        "Al Smith", "Ann Smith", "Anna Smith-Jones", "Jo Smithson", "Mary Smith", "Smith Smith",
        "Smithers Jones"]
    assert search(staff_client, "muller")[0] == ["Hans MULLER", "Zoë Müller"]
    assert search(staff_client, "ann d")[0] == ["Ann D'Arcy"]     # a short word: LIKE '%d%'


def test_a_common_word_does_not_ask_the_fulltext_index(staff_client, named):
    with CaptureQueriesContext(connections["billing"]) as cq:
        names, _ = search(staff_client, "smith")
    assert names
    sql = " ".join(q["sql"] for q in cq.captured_queries)
    assert "v_customer_name_word" in sql and "MATCH (full_name)" not in sql


def test_pages_in_order_with_ties_by_customer_number(staff_client, monkeypatch, billing_db):
    """60 customers of one surname, some with the same name: 50 a page, the same pages on both
    paths, every customer exactly once, ordered by name then customer number."""
    ids = [make_customer(billing_db, name=f"Pat Smith {i % 25:02d}") for i in range(60)]
    make_customer(billing_db, name="Pat Jones")
    rows = billing_db.rows("SELECT customer_no, full_name FROM customer WHERE customer_id IN (%s) "
                           "ORDER BY full_name, customer_no" % ",".join(map(str, ids)))
    expected = [r["customer_no"] for r in rows]
    seen = []
    for page in (1, 2, 3):
        by_word, fulltext = both_paths(staff_client, monkeypatch, "smith", page)
        assert by_word == fulltext
        _, r = search(staff_client, "smith", page)
        seen += [c.customer_no for c in r.context["results"]]
        assert (r.context["next_page"] is not None) == (page == 1)
    assert seen == expected


def test_a_renamed_customer_is_found_by_the_new_name_only(staff_client, billing_db):
    cid = make_customer(billing_db, name="Grace Hopper")
    assert search(staff_client, "hopper")[0] == ["Grace Hopper"]
    billing_db.call("update_customer", cid, "Grace Murray", None, None, None, "staff:test")
    assert search(staff_client, "hopper")[0] == []
    assert search(staff_client, "murray")[0] == ["Grace Murray"]
    assert billing_db.rows("SELECT word FROM customer_name_word WHERE customer_id = %s "
                           "ORDER BY word", cid) == [{"word": "Grace"}, {"word": "Murray"}]


def test_a_prefix_of_many_words_uses_the_fulltext_index(staff_client, monkeypatch, billing_db):
    for i in range(selectors.WORD_PREFIX_MAX + 1):
        make_customer(billing_db, name=f"Ann Smith{chr(97 + i)}")
    by_word, fulltext = both_paths(staff_client, monkeypatch, "smith")
    assert by_word == fulltext and len(by_word) == selectors.WORD_PREFIX_MAX + 1


def test_empty_and_one_character_queries(staff_client, named):
    r = staff_client.get(reverse("billing:customer_search"), {"q": ""})
    assert r.context["results"] is None
    names, _ = search(staff_client, "j")                  # a short word: part of the name
    assert names == sorted(n for n in NAMES if "j" in n.lower())


@pytest.mark.parametrize("lookup", [True, False])
@pytest.mark.parametrize("q", ["ann smith", "smith ann", "anna jones", "smithers jones",
                               "mary smi", "smith mary x", "sean brien", "al_sayed ed",
                               "ann d", "jo smith"])
def test_several_words_either_plan_finds_the_same(staff_client, monkeypatch, named, q, lookup):
    """The other words of a query are checked by a lookup per row of the driver's word, or by
    EXISTS, whichever _others_follow chooses from the driver's first rows: both find what the
    FULLTEXT index finds."""
    monkeypatch.setattr(selectors, "_others_follow", lambda *a, **k: lookup)
    by_word, fulltext = both_paths(staff_client, monkeypatch, q)
    assert by_word == fulltext
