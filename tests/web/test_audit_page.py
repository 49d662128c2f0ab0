"""The audit page (issue 16): filters by who, what, account and date, pages through the trail,
shows before/after as a readable diff, and shows the actor beside the database session user."""
import datetime
import re

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def rows(response):
    """(who, what, action) of each row of the trail's table."""
    html = response.content.decode()
    if '<table class="audit">' not in html:
        return []
    body = html[html.index('<table class="audit">'):]
    out = []
    for tr in re.findall(r'<tr><td class="nowrap">.*?</td>\s*<td>(.*?)</td>\s*'
                         r'<td class="nowrap">(.*?)</td>\s*<td>(.*?)</td>', body, re.S):
        who, what, action = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", x)).strip() for x in tr)
        out.append((who, what, action))
    return out


@pytest.fixture
def trail(billing_db):
    db = billing_db
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-01 10:00:00')")
    make_tariff(db, code="AUD", name="Audit tariff", actor="staff:setup")
    a = make_metered_account(db, tariff_code="AUD", serial="SN-AU-1", opened_on="2026-01-01",
                             name="Ada Audit", actor="staff:setup")
    b = make_metered_account(db, tariff_code="AUD", serial="SN-AU-2", opened_on="2026-01-01",
                             actor="staff:setup")
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-02 10:00:00')")
    db.call("update_customer", a.customer_id, "Ada Renamed", "ada@example.org", None, None,
            "staff:ann")
    pay = db.call("post_payment", a.account_id, "12.00", "cash", None, "k-au-1", "staff:bob")
    db.call("reverse_payment", pay["payment_id"], "cheque bounced", "staff:bob")
    db.call("post_payment", b.account_id, "5.00", "card", None, "k-au-2", "customer:C2")
    return a, b


def test_filters_by_who_what_account_and_date(manager_client, trail, billing_db):
    a, b = trail
    url = reverse("billing:audit")
    by_bob = rows(manager_client.get(url, {"who": "staff:bob"}))
    assert [r[2] for r in by_bob] == ["payment_reversed", "payment_posted"]
    assert all(r[0].startswith("staff:bob") for r in by_bob)
    me = billing_db.value("SELECT USER()")
    assert all(me in r[0] for r in by_bob)            # the database session user beside it

    reversed_ = manager_client.get(url, {"what": "payment_reversed"})
    assert [r[2] for r in rows(reversed_)] == ["payment_reversed"]
    assert "cheque bounced" in text(reversed_)        # the reason, in the change column

    acc_b = rows(manager_client.get(url, {"account": b.account_no}))
    assert acc_b and {r[2] for r in acc_b} == {"payment_posted", "insert"}
    assert all(f"customer {a.customer_id} " not in r[1] for r in acc_b)

    day1 = rows(manager_client.get(url, {"date_from": "2026-03-01", "date_to": "2026-03-01"}))
    assert day1 and {r[0] for r in day1} == {"staff:setup " + me}
    day2 = rows(manager_client.get(url, {"date_from": "2026-03-02"}))
    assert {r[0].split()[0] for r in day2} == {"staff:ann", "staff:bob", "customer:C2"}

    mine = rows(manager_client.get(reverse("billing:customer_audit", args=[a.customer_id]),
                                   {"what": "customer"}))
    assert [r[2] for r in mine] == ["update", "insert"]

    # text outside ASCII is just text that matches nothing (no collation error)
    accents = manager_client.get(url, {"who": "stäff", "what": "paymént"})
    assert accents.status_code == 200 and rows(accents) == []
    bad = manager_client.get(url, {"account": "NO-SUCH", "date_from": "yesterday"})
    assert bad.status_code == 200 and rows(bad) == []
    assert "No account with this number." in text(bad)
    # a window that ends before it starts says so, as the reports do (it said "No changes
    # recorded that match.")
    backwards = manager_client.get(url, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert backwards.status_code == 200 and rows(backwards) == []
    assert "The end comes before the start." in text(backwards)


def test_an_update_shows_only_what_changed_before_and_after(manager_client, trail):
    a, _ = trail
    page = manager_client.get(reverse("billing:customer_audit", args=[a.customer_id]),
                              {"what": "customer", "who": "staff:ann"}).content.decode()
    diff = page[page.index('<table class="diff">'):]
    diff = diff[:diff.index("</table>")]
    fields = re.findall(r'<th scope="row">(\w+)</th>', diff)
    assert fields == ["email", "full_name", "updated_at"]     # the changed fields, by name
    assert "<del>Ada Audit</del>" in diff and "<ins>Ada Renamed</ins>" in diff
    assert "<ins>ada@example.org</ins>" in diff
    assert "customer_no" not in diff                  # unchanged fields are not listed


def test_pages_through_the_trail(manager_client, trail, billing_db):
    for i in range(60):                               # the newest 60 rows
        billing_db.call("record_audit_event", "web_test_event", "test", str(i), None, "staff:x")
    total = billing_db.value("SELECT COUNT(*) FROM audit_log")
    assert total > 70
    url = reverse("billing:audit")
    first = manager_client.get(url, {"who": ""})
    html = first.content.decode()
    assert len(rows(first)) == 50
    older = re.search(r'<a href="\?([^"]+)" rel="next">Older</a>', html).group(1).replace("&amp;", "&")
    second = manager_client.get(url + "?" + older)
    assert len(rows(second)) == total - 50
    assert 'rel="next"' not in second.content.decode() and "Newest" in text(second)
    # newest first: page 1 holds 50 of the 60 events, page 2 the other 10 and the older trail
    assert {r[2] for r in rows(first)} == {"web_test_event"}
    assert [r[2] for r in rows(second)][:10] == ["web_test_event"] * 10
    assert "insert" in {r[2] for r in rows(second)[10:]}


def _handler_reads(connection):
    with connection.cursor() as cur:
        cur.execute("SHOW SESSION STATUS LIKE 'Handler_read%%'")
        return sum(int(value) for _, value in cur.fetchall())


def _bulk_rows(db, account_id):
    """20,000 audit rows of one account (a posting each, by staff:bulk), statistics analyzed."""
    db.execute("INSERT INTO audit_log (table_name, row_key, account_id, action, actor, db_user) "
               "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199) "
               "SELECT 'payment', CAST(x.i * 200 + y.i AS CHAR), %s, 'payment_posted', "
               "'staff:bulk', 'x' FROM n x CROSS JOIN n y WHERE x.i < 100", account_id)
    db.execute("ANALYZE TABLE audit_log")


def test_a_customer_or_an_account_is_read_by_index_with_the_same_rows(manager_client, trail,
                                                                      billing_db):
    """Issue 24 §4: the customer's trail (and the account filter) read the customer's rows, not
    the whole trail (v_audit_log computes customer_id per row: 10-21 s at 1M accounts), and
    show exactly the rows of v_audit_log's own filter."""
    from django.db import connections

    from billing import selectors
    from billing.models import AuditEntry

    a, b = trail
    _bulk_rows(billing_db, b.account_id)                   # 20,000 rows of account b
    conn = connections["billing"]
    for filters in ({"customer_id": a.customer_id}, {"account_id": a.account_id},
                    {"customer_id": a.customer_id, "account_id": a.account_id},
                    {"customer_id": a.customer_id, "what": "customer"}):
        before = _handler_reads(conn)
        got = selectors.audit_entries(**filters, limit=51)
        assert _handler_reads(conn) - before < 2000, filters
        plain = {k: v for k, v in filters.items() if k != "what"}
        want = [e for e in AuditEntry.objects.filter(**plain)[:51]
                if "what" not in filters or filters["what"] in (e.action, e.table_name)]
        assert [e.audit_id for e in got] == [e.audit_id for e in want] and got, filters
    page = rows(manager_client.get(reverse("billing:customer_audit", args=[a.customer_id])))
    assert {r[2] for r in page} >= {"insert", "update", "payment_posted", "payment_reversed"}
    assert "staff:bulk" not in {r[0].split()[0] for r in page}
    hot = rows(manager_client.get(reverse("billing:audit"), {"account": b.account_no}))
    assert len(hot) == 50 and {r[0].split()[0] for r in hot} == {"staff:bulk"}


def test_who_what_and_a_past_window_read_by_index_with_the_same_rows(trail, billing_db):
    """Issue 24 §4: who (actor or database user) and what (action or table) are two columns
    each; as an OR the server read every match, or the trail backwards, before it could sort
    (1.1-1.5 s at 1M accounts); a window that ends in the past read the trail back to it.
    Each is read by an index now, and the rows are those of the OR."""
    from django.db import connections
    from django.db.models import Q

    from billing import selectors
    from billing.models import AuditEntry

    billing_db.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-05 10:00:00')")
    billing_db.execute(                                     # 20,000 newer rows of someone else
        "INSERT INTO audit_log (table_name, row_key, account_id, action, actor, db_user) "
        "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199) "
        "SELECT 'payment', CAST(x.i * 200 + y.i AS CHAR), NULL, 'payment_posted', 'staff:bulk', "
        "'bulk@localhost' FROM n x CROSS JOIN n y WHERE x.i < 100")
    billing_db.execute("ANALYZE TABLE audit_log")
    me = billing_db.value("SELECT USER()")
    conn = connections["billing"]

    def the_or(who=None, what=None, date_from=None, date_to=None):
        q = AuditEntry.objects.all()
        if who:
            q = q.filter(Q(actor__startswith=who) | Q(db_user__startswith=who))
        if what:
            q = q.filter(Q(action=what) | Q(table_name=what))
        if date_from:
            q = q.filter(changed_at__gte=date_from)
        if date_to:
            q = q.filter(changed_at__lt=date_to + datetime.timedelta(days=1))
        return [e.audit_id for e in q[:51]]

    day1 = datetime.date(2026, 3, 1)
    for filters in ({"who": "staff:ann"}, {"who": "staff:an"}, {"who": "STAFF:ANN"},
                    {"who": me}, {"who": "staff:bob", "what": "payment_posted"},
                    {"what": "customer"}, {"what": "payment_reversed"}, {"what": "tariff"},
                    {"what": "customer", "who": "staff:a"},
                    {"date_to": day1}, {"date_from": day1, "date_to": day1},
                    {"date_to": day1, "what": "account"}):
        before = _handler_reads(conn)
        got = [e.audit_id for e in selectors.audit_entries(**filters, limit=51)]
        assert _handler_reads(conn) - before < 2000, filters
        assert got == the_or(**filters), filters
        assert got or filters["who"] == "STAFF:ANN", filters
    assert len(the_or(who="staff:bulk")) == 51              # the page's own rows stay fast


def _make_account_statistics_lie(db):
    """Tells the optimizer that an account has half the trail's audit rows (as the statistics
    of ix_audit_account said at 1M accounts right after the bench's bulk load: 2M rows of
    4.4M): MariaDB reads its engine-independent statistics first, MySQL its InnoDB persistent
    ones after FLUSH TABLE."""
    if "mariadb" in db.value("SELECT VERSION()").lower():
        half = db.value("SELECT COUNT(*) / 2 FROM audit_log")
        db.execute("REPLACE INTO mysql.index_stats (db_name, table_name, index_name, prefix_arity,"
                   " avg_frequency) VALUES (DATABASE(), 'audit_log', 'ix_audit_account', 1, %s)",
                   half)
        db.execute("FLUSH TABLES")
    else:
        db.execute("UPDATE mysql.innodb_index_stats SET stat_value = 2 WHERE database_name = "
                   "DATABASE() AND table_name = 'audit_log' AND index_name = 'ix_audit_account' "
                   "AND stat_name = 'n_diff_pfx01'")
        db.execute("FLUSH TABLE audit_log")


def _tell_the_truth(db):
    if "mariadb" in db.value("SELECT VERSION()").lower():
        db.execute("DELETE FROM mysql.index_stats WHERE db_name = DATABASE() "
                   "AND table_name = 'audit_log'")
        db.execute("FLUSH TABLES")
    db.execute("ANALYZE TABLE audit_log")


def test_a_customers_trail_does_not_depend_on_the_statistics(manager_client, trail, billing_db):
    """Issue 24 §4: with statistics that say an account has millions of audit rows, one
    statement (audit_id IN (SELECT ... FROM v_audit_subject)) reads the trail backwards (21 s
    in the 1M bench); the page reads the customer's ids first and then only those rows."""
    from django.db import connections

    from billing import selectors

    a, b = trail
    _bulk_rows(billing_db, b.account_id)                   # 20,000 newer rows of account b
    conn = connections["billing"]
    want = {f: [e.audit_id for e in selectors.audit_entries(**{f: v}, limit=51)]
            for f, v in (("customer_id", a.customer_id), ("account_id", a.account_id))}
    _make_account_statistics_lie(billing_db)
    try:
        before = _handler_reads(conn)                      # the lie works: one statement
        with conn.cursor() as cur:                         # reads the trail
            cur.execute("SELECT audit_id FROM v_audit_log WHERE customer_id = %s AND audit_id IN "
                        "(SELECT audit_id FROM v_audit_subject WHERE customer_id = %s) "
                        "AND audit_id < %s ORDER BY audit_id DESC LIMIT 51",
                        [a.customer_id, a.customer_id, selectors.AUDIT_ID_END])
            assert [r[0] for r in cur.fetchall()] == want["customer_id"]
        assert _handler_reads(conn) - before > 20000
        for f, v in (("customer_id", a.customer_id), ("account_id", a.account_id)):
            before = _handler_reads(conn)
            got = [e.audit_id for e in selectors.audit_entries(**{f: v}, limit=51)]
            assert _handler_reads(conn) - before < 2000, f
            assert got == want[f] and got, f
        page = rows(manager_client.get(reverse("billing:customer_audit", args=[a.customer_id])))
        assert len(page) == len(want["customer_id"])
    finally:
        _tell_the_truth(billing_db)


def test_a_long_trail_is_read_a_batch_of_ids_at_a_time(trail, billing_db, monkeypatch):
    """A customer whose rows are more than a batch of ids: filtered pages are filled from as
    many batches as it takes, in order, and stop at the page's size."""
    from django.db.models import Q

    from billing import selectors
    from billing.models import AuditEntry

    a, b = trail
    monkeypatch.setattr(selectors, "AUDIT_SUBJECT_BATCH", 3)
    monkeypatch.setattr(selectors, "AUDIT_SUBJECT_BATCH_MAX", 5)
    for i in range(12):
        billing_db.call("record_audit_event", "web_test_event", "account", str(a.account_id),
                        None, "staff:x" if i % 3 else "staff:y")
    every = [e.audit_id for e in AuditEntry.objects.filter(customer_id=a.customer_id)]
    assert len(every) > 15
    for filters in ({}, {"who": "staff:y"}, {"what": "web_test_event"}, {"what": "insert"},
                    {"who": "staff:nobody"}):
        for limit in (1, 4, 7, 51):
            got = [e.audit_id for e in selectors.audit_entries(customer_id=a.customer_id,
                                                               **filters, limit=limit)]
            q = AuditEntry.objects.filter(customer_id=a.customer_id)
            if "who" in filters:
                q = q.filter(actor__startswith=filters["who"])
            if "what" in filters:
                q = q.filter(Q(action=filters["what"]) | Q(table_name=filters["what"]))
            assert got == [e.audit_id for e in q[:limit]], (filters, limit)
    older = selectors.audit_entries(customer_id=a.customer_id, before=every[9], limit=5)
    assert [e.audit_id for e in older] == every[10:15]
