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


def test_the_words_of_every_prefix_are_found_in_rounds(staff_client, named):
    """selectors._word_forms: each round is one statement that asks every prefix still open,
    in the name words and the address words at once, for its next word. "smith jones": Smith,
    Smithers and Smithson start with "smith", Jones with "jones", and no address has a word
    (the customers have none): four rounds of 4, 2, 1 and 1 probes."""
    with CaptureQueriesContext(connections["billing"]) as cq:
        names, _ = search(staff_client, "smith jones")
    probes = [q["sql"] for q in cq.captured_queries if " AS probe" in q["sql"]]
    assert [p.count(" AS probe") for p in probes] == [4, 2, 1, 1]
    assert "v_customer_address_word" in probes[0] and "v_customer_address_word" not in probes[1]
    assert names == ["Anna Smith-Jones", "Smithers Jones"]


@pytest.mark.parametrize("lookup", [True, False])
@pytest.mark.parametrize("q", ["ann smith", "smith ann", "anna jones", "smithers jones",
                               "mary smi", "smith mary x", "sean brien", "al_sayed ed",
                               "ann d", "jo smith"])
def test_several_words_either_plan_finds_the_same(staff_client, monkeypatch, named, q, lookup):
    """Without the pairs (names whose every two prefixes share a word; addresses), the other
    words of a query are checked by a lookup per row of the driver's word, or by EXISTS,
    whichever _others_follow chooses from the driver's first rows: both find what the FULLTEXT
    index finds (the pairs are switched off here, so that every query takes those paths)."""
    monkeypatch.setattr(selectors, "_disjoint_pair", lambda forms: None)
    monkeypatch.setattr(selectors, "_others_follow", lambda *a, **k: lookup)
    by_word, fulltext = both_paths(staff_client, monkeypatch, q)
    assert by_word == fulltext


def _pair_path_used(cq):
    return any("v_customer_name_pair" in q["sql"] for q in cq.captured_queries)


@pytest.mark.parametrize("q, pairs", [
    ("ann smith", True), ("smith ann", True), ("anna jones", True), ("sean brien", True),
    ("mary smi", True), ("smith mary x", True), ("al_sayed ed", False), ("ann smith jones", True),
    ("smithers jones smith", True), ("smith smithers", False), ("smithers smith", False),
    ("smith smithers jones", True), ("smith smith", False), ("zoë müller", True),
    ("hans muller", True), ("müller muller", False), ("ann nobody", False), ("jo smith", False)])
def test_two_words_of_a_name_read_its_pairs(staff_client, monkeypatch, named, q, pairs):
    """Two long words of a name are read as pairs from customer_name_pair (migration 0135), one
    read per pair of their words in the page's order: the same customers in the same order as
    the FULLTEXT index. The first two prefixes of the query that no word starts both of make
    the pair ("smithers jones smith": Smithers and Jones; "smith" is looked up, and may be
    Smithers again; "smith smithers jones": Smith... and Jones, "smithers" looked up). Not when
    a word starts with both ("smith smithers": Smithers alone matches both, and a word makes no
    pair with itself), nor with a single long word ("al_sayed ed", "jo smith": "ed" and "jo"
    are short), nor when a prefix starts no word at all ("ann nobody": nobody is found without
    reading any name). On the pairs' path no prefix is counted and no name read but the
    pairs': neither word needs to drive."""
    with CaptureQueriesContext(connections["billing"]) as cq:
        names, _ = search(staff_client, q)
    assert _pair_path_used(cq) == pairs
    if pairs:
        name_reads = [x["sql"] for x in cq.captured_queries if "v_customer_name_word d" in x["sql"]
                      or "COUNT(*)" in x["sql"] and "v_customer_name_word" in x["sql"]]
        assert name_reads == []
    by_word, fulltext = both_paths(staff_client, monkeypatch, q)
    assert names == by_word == fulltext


def test_the_pairs_follow_a_new_name(staff_client, billing_db):
    """A renamed customer is found by two words of the new name, not of the old, on the pairs'
    path; the pairs are the new name's words both ways round."""
    cid = make_customer(billing_db, name="Grace Brewster Hopper")
    assert search(staff_client, "hopper grace")[0] == ["Grace Brewster Hopper"]
    billing_db.call("update_customer", cid, "Grace Murray", None, None, None, "staff:test")
    with CaptureQueriesContext(connections["billing"]) as cq:
        assert search(staff_client, "hopper grace")[0] == []
        assert search(staff_client, "murray grace")[0] == ["Grace Murray"]
    assert _pair_path_used(cq)
    assert billing_db.rows("SELECT word, other FROM customer_name_pair WHERE customer_id = %s "
                           "ORDER BY word", cid) == [{"word": "Grace", "other": "Murray"},
                                                     {"word": "Murray", "other": "Grace"}]


def test_pairs_pages_in_order(staff_client, monkeypatch, billing_db):
    """Two words that 60 customers have, some of the same name, on the pairs' path: 50 a page,
    ordered by name then customer number, every customer once, as the FULLTEXT path pages
    ("pat" starts two words, Pat and Patricia: two reads of pairs, merged)."""
    for i in range(60):
        make_customer(billing_db, name=f"{'Pat' if i % 2 else 'Patricia'} Smith {i % 25:02d}")
    make_customer(billing_db, name="Pat Jones")
    pages = []
    for page in (1, 2):
        by_word, fulltext = both_paths(staff_client, monkeypatch, "smith pat", page)
        assert by_word == fulltext
        pages.append(by_word)
    assert len(pages[0]) == 50 and len(pages[1]) == 10
    assert pages[0] + pages[1] == sorted(pages[0] + pages[1])
