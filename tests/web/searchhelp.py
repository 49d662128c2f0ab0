"""Helpers of the staff search tests: the names a search lists, and the same search on both
paths (the word tables of migrations 0117 and 0130, and the FULLTEXT indexes)."""
from django.urls import reverse

from billing import selectors


def search(client, q, page=None):
    """(the names the search page lists, the response) for query `q`, page `page`."""
    params = {"q": q} if page is None else {"q": q, "page": page}
    r = client.get(reverse("billing:customer_search"), params)
    assert r.status_code == 200
    return [c.full_name for c in r.context["results"]], r


def both_paths(client, monkeypatch, q, page=1):
    """The names listed as the page runs the search, and with the word tables switched off
    (WORD_PAGE_MAX = 0: the FULLTEXT path)."""
    by_word, _ = search(client, q, page)
    with monkeypatch.context() as m:
        m.setattr(selectors, "WORD_PAGE_MAX", 0)
        fulltext, _ = search(client, q, page)
    return by_word, fulltext
