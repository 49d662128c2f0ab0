"""The staff search by one address word reads customer_address_word (migration 0130, its
triggers) in the page's order instead of the FULLTEXT indexes of the postal and service
addresses (issue 24 §4): the same customers, the same order, the same pages, whichever path
answers. Each comparison runs the query twice: as the page runs it, and with the word tables
switched off (WORD_PAGE_MAX = 0), the FULLTEXT path."""
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from billing import selectors
from helpers.factories import make_account, make_customer, make_tariff
from web.searchhelp import both_paths, search

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

ADDRESSES = ["12 Elm Street, Springfield", "3 St James's Square, London", "Flat 2/B, Müllerweg",
             "7 O'Connell St., Dublin", "Hauptstraße 5, Zürich", "1 Main_Road", "PO Box 123456",
             "Springfield Rd 9", "9 elm street", None]
SERVICE = ["44 Oak Avenue, Springfield", "Unit 5 (rear), Elmwood Park", "Springfield",
           "12 Main Street"]


@pytest.fixture
def addressed(billing_db):
    """Customers with postal addresses; some with accounts at other service addresses."""
    db = billing_db
    tariff = make_tariff(db, code="RES")
    ids = []
    for i, address in enumerate(ADDRESSES):
        cid = make_customer(db, name=f"Person {chr(65 + i)}", address=address)
        ids.append(cid)
    for i, service in enumerate(SERVICE):
        make_account(db, tariff, customer_id=ids[i * 2 + 1], service_address=service)
    make_account(db, tariff, customer_id=ids[0], service_address="12 Elm Street, Springfield")
    return ids


@pytest.mark.parametrize("q", ["springfield", "SPRING", "spr", "elm", "elmwood", "street",
                               "james", "square", "muller", "müllerweg", "connell", "dublin",
                               "hauptstraße", "zurich", "main_road", "main", "123", "123456",
                               "box", "oak", "rear", "park", "nowhere", "elm x", "st elm",
                               "elm street", "street elm", "elm spring", "springfield elm",
                               "elm elm", "main street", "oak springfield", "elm dublin",
                               "james's square london", "person", "person elm", "12 elm"])
def test_address_words_find_what_the_fulltext_indexes_find(staff_client, monkeypatch, addressed, q):
    by_word, fulltext = both_paths(staff_client, monkeypatch, q)
    assert by_word == fulltext


def test_a_customer_with_the_word_in_several_addresses_is_listed_once(staff_client, addressed):
    """Person A: "Springfield" in the postal address and in an account's service address."""
    names, _ = search(staff_client, "springfield")
    assert names == ["Person A", "Person B", "Person F", "Person H"]


def test_several_words_must_be_in_one_address(staff_client, addressed):
    """Person D: "Dublin" in the postal address, "Elmwood" in an account's service address:
    as FULLTEXT, which matches each address on its own, "elm dublin" finds no one."""
    assert search(staff_client, "elm dublin")[0] == []
    assert search(staff_client, "elmwood park")[0] == ["Person D"]
    assert search(staff_client, "dublin connell")[0] == ["Person D"]


def test_a_common_address_word_does_not_ask_the_fulltext_indexes(staff_client, addressed):
    with CaptureQueriesContext(connections["billing"]) as cq:
        names, _ = search(staff_client, "springfield")
    assert names
    sql = " ".join(q["sql"] for q in cq.captured_queries)
    assert "v_customer_address_word" in sql and "MATCH (address)" not in sql
    assert "MATCH (service_address)" not in sql


def test_pages_in_order_with_ties_by_customer_number(staff_client, monkeypatch, billing_db):
    """60 customers in one town (25 names, some twice; every other one also an account there):
    50 a page, the same pages on both paths, every customer exactly once, by name then number."""
    tariff = make_tariff(billing_db, code="RES")
    ids = []
    for i in range(60):
        cid = make_customer(billing_db, name=f"Pat Jones {i % 25:02d}",
                            address=f"{i} High Street, Millbrook")
        if i % 2:
            make_account(billing_db, tariff, customer_id=cid, service_address=f"{i} Millbrook Way")
        ids.append(cid)
    make_customer(billing_db, name="Pat Smith", address="1 Low Road, Elsewhere")
    rows = billing_db.rows("SELECT customer_no FROM customer WHERE customer_id IN (%s) "
                           "ORDER BY full_name, customer_no" % ",".join(map(str, ids)))
    seen = []
    for page in (1, 2, 3):
        by_word, fulltext = both_paths(staff_client, monkeypatch, "millbrook", page)
        assert by_word == fulltext
        _, r = search(staff_client, "millbrook", page)
        seen += [c.customer_no for c in r.context["results"]]
        assert (r.context["next_page"] is not None) == (page == 1)
    assert seen == [r["customer_no"] for r in rows]


def test_the_words_follow_every_change(staff_client, monkeypatch, billing_db):
    """A new postal address, a renamed customer, an account's new service address, an account
    moved to another customer, a deleted account: each search answers as FULLTEXT does, and
    the table holds exactly the words of the addresses there are."""
    db = billing_db
    tariff = make_tariff(db, code="RES")
    grace = make_customer(db, name="Grace Hopper", address="1 Navy Yard, Arlington")
    alan = make_customer(db, name="Alan Turing", address="Bletchley Park")
    acc = make_account(db, tariff, customer_id=grace, service_address="5 Harbour Road, Arlington")

    def check(*queries):
        for q in queries:
            by_word, fulltext = both_paths(staff_client, monkeypatch, q)
            assert by_word == fulltext, q
        kept = db.rows("SELECT word, full_name, customer_no, customer_id, account_id "
                       "FROM customer_address_word ORDER BY customer_id, account_id, word")
        want = db.rows(
            "SELECT w.word, c.full_name, c.customer_no, c.customer_id, s.account_id FROM ("
            " SELECT c.customer_id, 0 AS account_id, c.address AS address FROM customer c"
            " UNION ALL SELECT a.customer_id, a.account_id, a.service_address FROM account a) s"
            " JOIN customer c ON c.customer_id = s.customer_id,"
            " JSON_TABLE(CONCAT('[\"', REPLACE(TRIM(REGEXP_REPLACE(s.address, '[^[:alnum:]_]+',"
            " ' ')), ' ', '\",\"'), '\"]'), '$[*]' COLUMNS (word VARCHAR(200) PATH '$')) w"
            " WHERE s.address IS NOT NULL AND CHAR_LENGTH(w.word) BETWEEN 3 AND 84"
            " GROUP BY c.customer_id, s.account_id, w.word, c.full_name, c.customer_no"
            " ORDER BY c.customer_id, s.account_id, w.word")
        assert kept == want

    check("arlington", "navy", "harbour", "bletchley")
    assert search(staff_client, "arlington")[0] == ["Grace Hopper"]
    db.call("update_customer", grace, "Grace Murray", None, None, "7 Pentagon Row, Arlington",
            "staff:test")
    check("arlington", "navy", "pentagon", "harbour")
    assert search(staff_client, "navy")[0] == []
    assert search(staff_client, "harbour")[0] == ["Grace Murray"]       # the new name
    db.execute("UPDATE account SET service_address = '9 Dock Street, Norfolk' "
               "WHERE account_id = %s", acc)
    check("harbour", "dock", "norfolk", "arlington")
    assert search(staff_client, "norfolk")[0] == ["Grace Murray"]
    db.execute("UPDATE account SET customer_id = %s WHERE account_id = %s", alan, acc)
    check("norfolk", "dock", "bletchley")
    assert search(staff_client, "norfolk")[0] == ["Alan Turing"]
    db.execute("DELETE FROM account WHERE account_id = %s", acc)
    check("norfolk", "dock", "park")
    assert search(staff_client, "norfolk")[0] == []


def test_a_prefix_of_many_words_uses_the_fulltext_indexes(staff_client, monkeypatch,
                                                          billing_db):
    for i in range(selectors.WORD_PREFIX_MAX + 1):
        make_customer(billing_db, name=f"Ann {i}", address=f"1 Oakfield{chr(97 + i)} Lane")
    with CaptureQueriesContext(connections["billing"]) as cq:
        by_word, fulltext = both_paths(staff_client, monkeypatch, "oakfield")
    assert by_word == fulltext and len(by_word) == selectors.WORD_PREFIX_MAX + 1
    assert "MATCH (address)" in " ".join(q["sql"] for q in cq.captured_queries)


@pytest.mark.parametrize("lookup", [True, False])
@pytest.mark.parametrize("q", ["elm street", "street elm", "elm spring", "springfield elm",
                               "main street", "oak springfield", "elm dublin", "elmwood park",
                               "james's square london", "12 elm"])
def test_several_words_either_plan_finds_the_same(staff_client, monkeypatch, addressed, q,
                                                  lookup):
    """As for names: a lookup per driver row, or EXISTS; the same customers either way."""
    monkeypatch.setattr(selectors, "_others_follow", lambda *a, **k: lookup)
    by_word, fulltext = both_paths(staff_client, monkeypatch, q)
    assert by_word == fulltext


def test_the_plan_follows_the_driver_s_first_rows(addressed):
    """_others_follow: "elm street" (every Elm address here has its Street) takes the lookups;
    "elm dublin" (no Elm address is in Dublin) does not."""
    from django.db import connections
    with connections["billing"].cursor() as cur:
        one = "o.customer_id = d.customer_id AND o.account_id = d.account_id"
        assert selectors._others_follow(cur, "v_customer_address_word", "elm", "", [], one,
                                        ["street%"], need=51)
        assert not selectors._others_follow(cur, "v_customer_address_word", "elm", "", [], one,
                                            ["dublin%"], need=51)
