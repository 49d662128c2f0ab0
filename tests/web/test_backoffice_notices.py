"""Back office, notices: a customer's notices, the failed-notices list with a retry
(retry_notice: failed -> pending, due now, attempts from 0), and the collectors' dunning list."""

import pytest
from django.urls import reverse

from helpers.db import DbError
from helpers.factories import ACTOR, make_customer, make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def billed(billing_db):
    """Two customers, each with a bill of January 2026 (100.00, due 2026-02-15)."""
    billing_db.set_clock("2026-02-01")
    t = make_tariff(billing_db)
    out = []
    for name, email, phone in (("Ann", "ann@example.org", "555-0101"), ("Bob", "bob@example.org", None)):
        cid = make_customer(billing_db, name=name, email=email, phone=phone)
        acc = make_metered_account(billing_db, tariff_code=t, customer_id=cid, opened_on="2026-01-01")
        billing_db.call("record_reading", acc.serial, "2026-01-31", 1000, "field", ACTOR)
        acc.bill_id = billing_db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31",
                                      "2026-02-01", 14, ACTOR)["bill_id"]
        out.append(acc)
    return out


def fail_for_good(db, notice_id):
    for _ in range(6):
        # due and claimed by sender "s", as claim_notices would hand it out
        db.execute("UPDATE notice SET next_attempt_at = NOW(), claimed_by = 's', "
                   "claimed_at = NOW() WHERE notice_id = %s", notice_id)
        db.call("mark_notice", notice_id, "s", "failed", None, "550 mailbox unavailable")


def test_failed_list_and_retry(staff_client, billed, billing_db):
    ann, bob = billed
    billing_db.set_clock(None)                     # the web's retry runs on the real clock
    n_ann = billing_db.value("SELECT notice_id FROM notice WHERE bill_id = %s", ann.bill_id)
    fail_for_good(billing_db, n_ann)
    r = staff_client.get(reverse("billing:notice_list"))
    assert [n.notice_id for n in r.context["notices"]] == [n_ann]
    assert "550 mailbox unavailable" in text(r) and "Retry" in text(r)
    assert ann.customer_no in text(r)                 # whom it was for: the number staff know
    r = staff_client.post(reverse("billing:notice_retry", args=[n_ann]), {"next": "/notices/"})
    assert r.status_code == 302
    row = billing_db.row("SELECT status, attempts, next_attempt_at <= NOW() AS due FROM notice "
                         "WHERE notice_id = %s", n_ann)
    assert (row["status"], row["attempts"], row["due"]) == ("pending", 0, 1)
    empty = staff_client.get(reverse("billing:notice_list"))
    assert empty.context["notices"] == []
    assert "None: no failed notice." in text(empty)          # says what is empty, not "None."
    # retrying what is not failed is refused, and said so
    r = staff_client.post(reverse("billing:notice_retry", args=[n_ann]), follow=True)
    assert "was not retried" in text(r)
    with pytest.raises(DbError) as e:
        billing_db.call("retry_notice", 999999, ACTOR)
    assert e.value.errno == 45001


def test_a_customers_notices(staff_client, billed, billing_db):
    ann, bob = billed
    r = staff_client.get(reverse("billing:customer_notices", args=[ann.customer_id]))
    assert [(n.kind, n.bill_id) for n in r.context["notices"]] == [("bill_issued", ann.bill_id)]
    assert staff_client.get(reverse("billing:customer_notices", args=[999999])).status_code == 404
    assert reverse("billing:customer_notices", args=[ann.customer_id]) in \
        staff_client.get(reverse("billing:customer_detail", args=[ann.customer_id])).content.decode()


def bob_pays_then_reminders(db, bob, amount):
    """Bob pays `amount` of his 100.00 on 2026-02-05; the reminders of 2026-03-01 are queued."""
    db.set_clock("2026-02-05")
    db.call("post_payment", bob.account_id, amount, "card", None, f"k-bob-{amount}", ACTOR)
    db.set_clock("2026-03-01")
    db.call("queue_reminders", "2026-03-01", "batch:reminders")
    db.set_clock(None)


def test_dunning_list(staff_client, billed, billing_db):
    ann, bob = billed
    bob_pays_then_reminders(billing_db, bob, "100.00")
    r = staff_client.get(reverse("billing:dunning"))
    rows = r.context["rows"]
    assert [(x.account_id, x.level, str(x.amount_overdue), x.phone) for x in rows] == [
        (ann.account_id, "overdue_2", "100.00", "555-0101")]
    assert ann.account_no in text(r) and "second reminder" in text(r)     # overdue_2 in words


def test_dunning_list_pages_every_account(staff_client, billed, billing_db, monkeypatch):
    """The list is paged (it used to stop at the first 1,000 accounts): every overdue account is
    on some page, in the view's order, and the heading counts and sums all of them, not the
    page's."""
    from billing.views import notices
    monkeypatch.setattr(notices, "DUNNING_PAGE", 1)
    ann, bob = billed
    bob_pays_then_reminders(billing_db, bob, "40.00")
    expected = [(r["account_id"], str(r["amount_overdue"])) for r in billing_db.rows(
        "SELECT account_id, amount_overdue FROM v_dunning "
        "ORDER BY level_no DESC, amount_overdue DESC, account_id")]
    assert sorted(expected) == sorted([(ann.account_id, "100.00"), (bob.account_id, "60.00")])
    seen = []
    for number in (1, 2):
        r = staff_client.get(reverse("billing:dunning"), {"page": number})
        page = r.context["rows"]
        assert page.paginator.count == 2 and len(page.object_list) == 1
        seen += [(x.account_id, str(x.amount_overdue)) for x in page]
        body = text(r)
        assert "2 accounts with €160.00 overdue" in body, body
        assert f"Page {number} of 2" in body
    assert seen == expected


def test_the_dunning_heading_is_the_aggregate_of_the_list(staff_client, billed, billing_db):
    """v_staff_dunning_total (the heading and the pager's count) gives what COUNT and SUM over
    v_dunning give: with nothing overdue yet, with part of a bill paid, a bill paid off, an
    account with two overdue bills and a bill cancelled."""
    ann, bob = billed

    def both():
        total = billing_db.row("SELECT accounts, overdue FROM v_staff_dunning_total")
        over = billing_db.row("SELECT COUNT(*) AS accounts, "
                              "CAST(COALESCE(SUM(amount_overdue), 0) AS DECIMAL(14,2)) AS overdue "
                              "FROM v_dunning")
        return (total["accounts"], str(total["overdue"])), (over["accounts"], str(over["overdue"]))

    billing_db.set_clock("2026-02-10")                     # not due before 2026-02-15
    assert both() == ((0, "0.00"), (0, "0.00"))
    billing_db.call("post_payment", bob.account_id, "30.00", "card", None, "k-dt-1", ACTOR)
    billing_db.set_clock("2026-03-01")
    mine, theirs = both()
    assert mine == theirs == (2, "170.00")
    billing_db.call("record_reading", ann.serial, "2026-02-28", 1500, "field", ACTOR)
    feb = billing_db.call("bill_account", ann.account_id, "2026-02-01", "2026-02-28",
                          "2026-03-01", 1, ACTOR)["bill_id"]
    billing_db.set_clock("2026-03-05")                     # Ann's February bill is due too
    mine, theirs = both()
    assert mine == theirs and mine[0] == 2
    billing_db.call("cancel_bill", feb, "wrong reading", ACTOR)
    assert both()[0] == both()[1] == (2, "170.00")
    billing_db.call("post_payment", bob.account_id, "70.00", "card", None, "k-dt-2", ACTOR)
    assert both()[0] == both()[1] == (1, "100.00")
    billing_db.set_clock(None)
    assert "1 account with €100.00 overdue" in text(staff_client.get(reverse("billing:dunning")))


def test_the_dunning_list_kept_by_the_job(staff_client, billed, billing_db, monkeypatch):
    """While the list the 5-minute job kept (refresh_dunning_snapshot) is of today and at most
    15 minutes old, the page shows its order and its heading, saying when it was made, and each
    row's figures now: an account paid off since says so (with what it owed then), a part
    payment shows what is overdue now. Pages are ranges of the kept positions. 16 minutes old:
    the page reads v_dunning live."""
    from billing.views import notices
    ann, bob = billed
    bob_pays_then_reminders(billing_db, bob, "40.00")       # Ann 100.00, Bob 60.00 overdue
    billing_db.call("refresh_dunning_snapshot")
    taken = billing_db.value("SELECT taken_at FROM v_dunning_kept_total")
    billing_db.call("post_payment", ann.account_id, "100.00", "cash", None, "k-kept-1", ACTOR)
    billing_db.call("post_payment", bob.account_id, "10.00", "cash", None, "k-kept-2", ACTOR)
    r = staff_client.get(reverse("billing:dunning"))
    rows = list(r.context["rows"])
    assert [x.account_id for x in rows] == [ann.account_id, bob.account_id]     # as kept
    assert rows[0].now is None
    assert (rows[1].now.level, str(rows[1].now.amount_overdue)) == ("overdue_2", "50.00")
    body = text(r)
    assert (f"2 accounts with €160.00 overdue as of {taken.day} {taken:%b %Y}, {taken:%H:%M}."
            in body), body
    assert "The list is made again every 5 minutes" in body
    assert "Nothing overdue now: paid or corrected since the list was made (€100.00 then)." in body
    assert "€50.00" in body and "€60.00" not in body
    # a page is a range of positions: page 2 of 2 (and "last") is Bob's
    monkeypatch.setattr(notices, "DUNNING_PAGE", 1)
    for number in ("2", "last"):
        page = staff_client.get(reverse("billing:dunning"), {"page": number}).context["rows"]
        assert [x.account_id for x in page] == [bob.account_id]
        assert page.number == 2 and page.paginator.count == 2
    monkeypatch.setattr(notices, "DUNNING_PAGE", 50)
    # 16 minutes old: v_dunning as it is now
    billing_db.execute("UPDATE dunning_snapshot SET taken_at = NOW() - INTERVAL 16 MINUTE")
    r = staff_client.get(reverse("billing:dunning"))
    assert [(x.account_id, str(x.now.amount_overdue)) for x in r.context["rows"]] == [
        (bob.account_id, "50.00")]
    assert "1 account with €50.00 overdue." in text(r)
    assert "The list is made again" not in text(r)


def test_an_empty_kept_dunning_list_says_when_it_was_made(staff_client, billing_db):
    billing_db.call("refresh_dunning_snapshot")
    taken = billing_db.value("SELECT taken_at FROM v_dunning_kept_total")
    body = text(staff_client.get(reverse("billing:dunning")))
    assert (f"No account is overdue as of {taken.day} {taken:%b %Y}, {taken:%H:%M} (the list is "
            "made again every 5 minutes).") in body, body


def test_notice_list_pages_every_notice(staff_client, billed, billing_db, monkeypatch):
    """The list is paged (it used to stop at its first 200): every notice of the status is on
    some page, newest first, and the pager counts them all."""
    from billing.views import notices
    monkeypatch.setattr(notices, "PAGE", 1)
    expected = [r["notice_id"] for r in billing_db.rows(
        "SELECT notice_id FROM v_notices ORDER BY created_at DESC, notice_id DESC")]
    assert len(expected) == 2                      # the two bills' notices
    seen = []
    for number in (1, 2):
        r = staff_client.get(reverse("billing:notice_list"), {"status": "all", "page": number})
        assert r.context["page"].paginator.count == 2
        seen += [n.notice_id for n in r.context["notices"]]
        assert f"Page {number} of 2" in text(r)
    assert seen == expected
