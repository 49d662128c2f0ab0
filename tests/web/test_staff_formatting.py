"""Money on the staff pages goes through the one formatter too (issue 21, "Money, dates and
words everywhere": "in every page, PDF and e-mail, staff pages included"): a scan of the staff
pages of an account with bills, payments, a late fee and a credit finds no amount without its
currency, and a credit reads "Credit €...". (Staff pages keep ISO dates: the rule of no ISO
date is for customer text.)"""
import re

import pytest
from django.urls import reverse

from helpers.pages import UNFORMATTED, visible_text
from helpers.portal_data import make_portal_customer

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def test_no_staff_page_shows_an_unformatted_amount(billing_admin_client, billing_db):
    c, db = billing_admin_client, billing_db
    ada = make_portal_customer(db)
    # a payment above what is owed: thousands and a credit on the account
    pid = db.call("post_payment", ada.account_id, "1500.00", "cash", None, "staff-scan",
                  "staff:bea")["payment_id"]
    urls = [reverse("billing:customer_detail", args=[ada.customer_id]),
            reverse("billing:account_detail", args=[ada.account_id]),
            reverse("billing:payment_receipt", args=[pid]),
            reverse("billing:payment_reverse", args=[pid]),
            reverse("billing:payment_create", args=[ada.account_id]),
            reverse("billing:bill_cancel", args=[ada.bill_ids[2]]),
            reverse("billing:collections_day"), reverse("billing:drawer_close"),
            reverse("billing:dunning"), reverse("billing:run_list")]
    urls += [reverse("billing:bill_detail", args=[b]) for b in ada.bill_ids]
    seen, bad = 0, set()
    for url in urls:
        r = c.get(url)
        assert r.status_code == 200, url
        text = visible_text(r.content.decode())
        bad.update({(url, text[max(m.start() - 60, 0):m.end()]) for m in UNFORMATTED.finditer(text)})
        assert "(credit)" not in text, url
        seen += text.count("€")
    assert not bad, sorted(bad)
    assert seen > 30
    account = visible_text(c.get(urls[1]).content.decode())
    credit = db.value("SELECT -balance FROM v_account_balance WHERE account_id = %s",
                      ada.account_id)
    assert f"Credit €{credit:,.2f}" in account
    assert "€1,500.00" in visible_text(c.get(urls[2]).content.decode())


def test_counts_have_thousands_separated():
    """Counts of things (payments of a day, accounts overdue, a pager's rows) go through
    formatting.count: a bank-file day has 261,287 payments, not 261287."""
    from django.template import Context, Template

    from billing import formatting
    assert [formatting.count(v) for v in (0, 7, 1000, 261287, None)] == \
        ["0", "7", "1,000", "261,287", ""]
    html = Template("{% load money %}{{ n|count }}").render(Context({"n": 1234567}))
    assert html == "1,234,567"
