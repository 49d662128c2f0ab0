"""Money, kWh, rates and dates read the same everywhere in the portal (issue 21, "Money, dates
and words everywhere"): one formatter (billing.formatting); a scan of every rendered portal page
finds no unformatted amount, no ISO date, no "(credit)" suffix; no error code reaches a person;
the 403, 404 and 500 pages are styled and lead back."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.test import override_settings
from django.urls import reverse

from billing import formatting
from helpers.pages import UNFORMATTED, visible_text
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CODES = re.compile(r"\b(4[0-9]{4}|[A-Z]{3,}_[A-Z_]+)\b")


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


@pytest.fixture
def c(client, ada):
    create_customer_login(ada.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    return client


def test_the_formatter():
    assert formatting.money(D("1234.5")) == "€1,234.50"
    assert formatting.money(D("-61.22")) == "Credit €61.22"
    assert formatting.money(D("-1.00"), credit=False) == "-€1.00"
    assert formatting.money(None) == ""
    assert formatting.kwh(D("2360.0000")) == "2,360 kWh"
    assert formatting.kwh(D("45.1610")) == "45.161 kWh"
    assert formatting.rate(D("0.122")) == "0.1220 per kWh"
    assert formatting.day(dt.date(2026, 5, 1)) == "1 May 2026"
    assert formatting.when(dt.datetime(2026, 5, 1, 9, 5)) == "1 May 2026, 09:05"
    with override_settings(BILLING_CURRENCY="EUR "):
        assert formatting.money(D("1000000")) == "EUR 1,000,000.00"


def portal_pages(c, ada, billing_db):
    pid = billing_db.value("SELECT MIN(payment_id) FROM payment WHERE account_id = %s",
                           ada.account_id)
    urls = [reverse("portal:dashboard"), reverse("portal:bill_list"),
            reverse("portal:pay", args=[ada.account_id]), reverse("portal:payment_list"),
            reverse("portal:payment_detail", args=[pid]), reverse("portal:profile")]
    for b in ada.bill_ids:
        urls += [reverse("portal:bill_detail", args=[b]), reverse("portal:bill_print", args=[b])]
    for url in urls:
        r = c.get(url)
        assert r.status_code == 200, url
        yield url, r.content.decode()


def test_no_page_shows_an_unformatted_amount_or_an_iso_date(c, ada, billing_db):
    # a credit on the account too: the dashboard shows it as "Credit €..."
    billing_db.call("post_payment", ada.account_id, "500.00", "cash", None, "scan-credit",
                    "staff:alice")
    seen = 0
    for url, page in portal_pages(c, ada, billing_db):
        text = visible_text(page)
        assert not UNFORMATTED.findall(text), (url, UNFORMATTED.findall(text))
        assert not ISO_DATE.findall(text), (url, ISO_DATE.findall(text))
        assert "(credit)" not in text, url
        seen += text.count("€")
    assert seen > 20
    dashboard = visible_text(c.get(reverse("portal:dashboard")).content.decode())
    assert re.search(r"Credit €[\d,]+\.\d\d", dashboard)


def test_a_refusal_reaches_the_customer_as_a_sentence_on_the_field(c, monkeypatch):
    import portal.views
    logged = []
    monkeypatch.setattr(portal.views.log, "warning", lambda *a: logged.append(a[0] % a[1:]))
    r = c.post(reverse("portal:profile"), {"full_name": "Ada Lovelace", "email": "not-an-address",
                                           "phone": "", "address": ""})
    assert r.status_code == 200
    assert r.context["form"].errors["email"] == [
        "Enter an e-mail address like name@example.org."]
    text = visible_text(r.content.decode())
    assert not CODES.findall(text), CODES.findall(text)
    assert "errno=45002 code=INVALID_ARGUMENT" in " ".join(logged)    # the log has it


def test_styled_error_pages_lead_back(client, ada, c):
    r = c.get("/my/bills/999999/")
    assert r.status_code == 404
    page = r.content.decode()
    assert "We cannot find this page" in page and 'href="/my/"' in page
    assert "portal.css" in page
    client.logout()
    from django.contrib.auth import get_user_model
    staff = get_user_model().objects.create_user("someone", password="x-Y-z-123456789")
    client.force_login(staff)
    r = client.get(reverse("portal:dashboard"))
    assert r.status_code == 403 and "You cannot open this page" in r.content.decode()


def test_the_500_page_is_plain_and_leads_back():
    from django.template.loader import get_template
    page = get_template("500.html").render({})
    assert "Something went wrong" in page and 'href="/my/"' in page


def test_the_bill_pdf_carries_letterhead_address_amount_due_how_to_pay_and_slip(c, ada,
                                                                               billing_db):
    from io import BytesIO

    from pypdf import PdfReader
    bill = ada.bill_ids[2]
    pdf = c.get(reverse("portal:bill_pdf", args=[bill])).content
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    b = billing_db.row("SELECT bill_no, account_no, amount_open, rebate_amount "
                       "FROM v_bill_summary WHERE bill_id = %s", bill)
    for want in ("Millbrook Electric", "12 Mill Lane", "Ada Lovelace", "1 Analytical Way",
                 "Amount due", f"€{b['amount_open']}", f"Save €{b['rebate_amount']} if paid by",
                 "How to pay", "Bank transfer", b["bill_no"], "Summary of this bill",
                 "Detach and return this slip", "Payment slip", b["account_no"]):
        assert want in text, (want, text)
    assert not ISO_DATE.findall(text) and not UNFORMATTED.findall(text)
    page = c.get(reverse("portal:bill_print", args=[bill])).content.decode()
    assert "data-print" in page and "portal/print.js" in page          # the Print button


def test_the_receipt_pdf_carries_letterhead_and_the_figures_as_posted(c, ada, billing_db):
    from io import BytesIO

    from pypdf import PdfReader
    pid = billing_db.value("SELECT MIN(payment_id) FROM payment WHERE account_id = %s",
                           ada.account_id)
    pdf = c.get(reverse("portal:payment_pdf", args=[pid])).content
    text = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(BytesIO(pdf)).pages))
    r = billing_db.row("SELECT receipt_no, amount, applied FROM v_receipt WHERE payment_id = %s",
                       pid)
    for want in ("Millbrook Electric", "Ada Lovelace", r["receipt_no"], f"€{r['amount']}",
                 "Applied to bills", "Account balance after this payment"):
        assert want in text, (want, text)


def test_every_notice_writes_money_and_dates_through_the_formatter(ada, billing_db):
    """The e-mails (issue 21: "in every page, PDF and e-mail"): subject and both bodies of every
    kind of notice carry no unformatted amount and no ISO date, and link to the portal (/my/)."""
    from billing import notices
    pid = billing_db.value("SELECT MIN(payment_id) FROM payment WHERE account_id = %s",
                           ada.account_id)
    bill = billing_db.row("SELECT total_amount, amount_open FROM v_bill_summary "
                          "WHERE bill_id = %s", ada.bill_ids[2])
    paid = billing_db.value("SELECT amount FROM payment WHERE payment_id = %s", pid)
    for kind in notices.SUBJECTS:
        notice = {"notice_id": 0, "kind": kind, "customer_id": ada.customer_id,
                  "account_id": ada.account_id, "bill_id": ada.bill_ids[2], "payment_id": pid,
                  "refund_id": None, "email": ada.email}
        subject, text, html, _ = notices.render(notice, attachments=False)
        for part in (subject, text, visible_text(html)):
            assert not UNFORMATTED.findall(part), (kind, UNFORMATTED.findall(part), part)
            assert not ISO_DATE.findall(part), (kind, ISO_DATE.findall(part), part)
        assert "http://localhost:8000/my/" in text and 'href="http://localhost:8000/my/"' in html
        assert "Millbrook Electric" in text
        want = {"bill_issued": bill["total_amount"], "final_bill": bill["total_amount"],
                "due_soon": bill["amount_open"], "overdue_1": bill["amount_open"],
                "payment_received": paid, "payment_reversed": paid}.get(kind)
        if want is not None:
            assert formatting.money(want) in text and formatting.money(want) in html, kind
