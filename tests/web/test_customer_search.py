"""Customer search: by the words of the name or address (word prefixes, FULLTEXT), or exactly
by customer number, account number, e-mail, meter serial or phone digits. An exact customer
number, account number or serial opens that record at once (the listing still finds them, as
its pages show: ?page=)."""
import pytest
from django.urls import reverse

from helpers.factories import make_account, make_customer, make_metered_account, make_tariff

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


def test_each_result_lists_its_accounts_with_status_and_balance(staff_client, people,
                                                                  billing_db):
    """The page's rows: each customer joined with its accounts in one statement, their balances
    from v_account_balance in a second. Every account, in number order, with its status and
    balance; none for a customer without."""
    db, ada = billing_db, people["ada"]
    second = make_account(db, customer_id=ada.customer_id)
    db.call("post_payment", ada.account_id, "12.50", "cash", None, "search-credit", "staff:test")
    r, _ = search(staff_client, "Ada Lovelace")
    [hit] = r.context["results"]
    expected = db.rows("SELECT account_no, status, balance FROM v_account_balance "
                       "WHERE customer_id = %s ORDER BY account_no", ada.customer_id)
    assert [(a.account_no, a.status, a.balance.balance) for a in hit.account_list] == [
        (e["account_no"], e["status"], e["balance"]) for e in expected]
    assert [a.account_id for a in hit.account_list] == sorted([ada.account_id, second])
    assert b"Credit \xe2\x82\xac12.50" in r.content
    r, names = search(staff_client, "Carol")
    assert names == ["Carol Adams"] and r.context["results"][0].account_list == []
    assert b"no accounts" in r.content


def test_a_search_the_server_stops_at_its_time_limit_says_why(staff_client, billing_db,
                                                              monkeypatch):
    """A search through FULLTEXT of words in nearly every address (at 1M customers a town's
    name: 8 s, every match read and sorted before the page is chosen) is stopped by the server
    after SEARCH_SECONDS (MariaDB's max_statement_time, MySQL's MAX_EXECUTION_TIME): the page
    says what to do instead of waiting. Here 10,000 addresses, the word tables switched off
    (WORD_PAGE_MAX = 0: what a page deeper than that reads) and a limit of a millisecond;
    under the usual limit the same search lists them."""
    from billing import selectors
    billing_db.execute(
        "INSERT INTO customer (customer_no, full_name, address) "
        "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99) "
        "SELECT CONCAT('T', x.i * 100 + y.i), CONCAT('Person ', x.i * 100 + y.i), "
        "CONCAT(x.i * 100 + y.i, ' Elm Street, Springfield') FROM n x CROSS JOIN n y")
    monkeypatch.setattr(selectors, "SEARCH_SECONDS", 0.001)
    monkeypatch.setattr(selectors, "WORD_PAGE_MAX", 0)
    r, names = search(staff_client, "elm springfield")
    page = r.content.decode()
    assert names == [] and "Too many customers match" in page
    assert "stopped after 0.001 seconds" in page and "No customer found" not in page
    monkeypatch.undo()
    r, names = search(staff_client, "elm springfield")
    assert len(names) == 50 and r.context["next_page"] == 2
    assert "Too many customers match" not in r.content.decode()


def test_the_time_limit_is_written_for_the_server_it_runs_on(billing_db, monkeypatch):
    """MariaDB takes SET STATEMENT max_statement_time (seconds) FOR the statement, MySQL an
    optimizer hint in the SELECT (milliseconds, at least 1)."""
    from django.db import connections

    from billing import selectors
    conn = connections["billing"]
    monkeypatch.setitem(conn.__dict__, "mysql_is_mariadb", True)      # a cached_property
    assert (selectors._within("\n SELECT 1 FROM t", 2.5, "billing")
            == "SET STATEMENT max_statement_time = 2.5 FOR SELECT 1 FROM t")
    monkeypatch.setitem(conn.__dict__, "mysql_is_mariadb", False)
    assert (selectors._within("SELECT 1 FROM (SELECT 2) x", 0.0001, "billing")
            == "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1 FROM (SELECT 2) x")


def test_a_query_longer_than_the_field_is_refused_with_a_reason(staff_client, people):
    """The search field takes 200 characters (every word of a query is a FULLTEXT term or a
    LIKE over the names): a longer query, typed past the browser's limit or sent by hand, is not
    run, and the page says why."""
    r = staff_client.get(reverse("billing:customer_search"), {"q": "ada " * 50 + "x"})
    page = r.content.decode()
    assert r.status_code == 200 and r.context["results"] is None
    assert "At most 200 characters (this one has 201)." in page and 'maxlength="200"' in page
    r, names = search(staff_client, ("ada " * 50)[:200])
    assert names == ["Ada Lovelace", "Carol Adams"]


@pytest.mark.parametrize("page", ["368934881474191034", "9223372036854775808", "1" + "0" * 30])
def test_a_page_far_past_the_results_is_an_empty_page(staff_client, people, page):
    """(page - 1) x 50 past the OFFSET the server takes (2^64 - 1) was a server error (SQL
    syntax 1064); the page number is capped, and a page past the results lists nobody."""
    r, names = search(staff_client, "ada", page=page)
    assert names == [] and r.context["page"] == 10_000_000
    assert search(staff_client, "ada", page="2")[1] == []
    assert search(staff_client, "ada", page="1")[1] == ["Ada Lovelace", "Carol Adams"]
