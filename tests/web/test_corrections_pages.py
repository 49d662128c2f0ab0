"""Corrections in the back office and the portal (issue 19): the staff bill page, cancel with a
confirmation and re-bill, the true-down of an estimate that was too high, refunds at the
counter with a slip, roles, what the portal shows; and (issue 16) a portal login issued is in
the audit trail."""
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import formatting
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def acc(billing_db):
    """January billed on an actual reading (100 kWh at 0.10: 10.00), February on an estimate
    (the January rate, 100 kWh / 31 days, over 28 days: advance ROUND(100 * 28 / 31, 2) =
    90.32, value 190.32: 9.03)."""
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-C-1",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-C-1", "2026-01-31", 100, "field", "staff:test")
    a.jan = billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31",
                            "2026-02-01", 14, "staff:test")["bill_id"]
    a.feb = billing_db.call("bill_account", a.account_id, "2026-02-01", "2026-02-28",
                            "2026-03-01", 14, "staff:test")["bill_id"]
    return a


def bill(db, bill_id):
    return db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)


def test_the_bill_page_shows_lines_readings_payments_and_history(manager_client, acc,
                                                                 billing_db):
    pid = billing_db.call("post_payment", acc.account_id, "4.00", "cash", None, "k-c1",
                          "staff:test")["payment_id"]
    feb = bill(billing_db, acc.feb)
    assert (str(feb["total_amount"]), feb["estimated"], str(feb["end_read_value"])) == \
        ("9.03", 1, "190.32")
    page = text(manager_client.get(reverse("billing:bill_detail", args=[acc.jan])))
    jan = bill(billing_db, acc.jan)
    receipt = billing_db.value("SELECT receipt_no FROM v_payments WHERE payment_id = %s", pid)
    assert f"Bill {jan['bill_no']}" in page and "10.00" in page
    assert "start 1 Jan 2026 SN-C-1 0 Initial read" in page     # register values as kWh are read
    assert "end 31 Jan 2026 SN-C-1 100 Actual" in page
    assert f"{receipt}" in page and "issued" in page and f"payment {receipt}" in page
    page = text(manager_client.get(reverse("billing:bill_detail", args=[acc.feb])))
    assert "end 28 Feb 2026 SN-C-1 190.32 estimated" in page
    # managers read: no cancel offered, and the cancel page is refused
    assert "Cancel this bill" not in page
    assert manager_client.get(reverse("billing:bill_cancel", args=[acc.feb])).status_code == 403
    # every bill number on the account page links to its page
    html = manager_client.get(reverse("billing:account_detail",
                                      args=[acc.account_id])).content.decode()
    for b in (acc.jan, acc.feb):
        assert reverse("billing:bill_detail", args=[b]) in html


def test_a_billing_admin_cancels_with_a_confirmation_then_rebills(billing_admin_client, acc,
                                                                  billing_db):
    billing_db.call("post_payment", acc.account_id, "15.00", "cash", None, "k-c2", "staff:test")
    # 10.00 on January, 5.00 on February
    page = text(billing_admin_client.get(reverse("billing:bill_detail", args=[acc.jan])))
    assert "Cancel this bill" not in page        # not the latest bill: cancel February first
    url = reverse("billing:bill_cancel", args=[acc.feb])
    confirm = text(billing_admin_client.get(url))
    assert "credit note" in confirm and "becomes credit" in confirm
    assert "voided" in confirm and "190.32" in confirm and ": €5.00" in confirm
    snapshot = billing_db.snapshot()
    assert billing_admin_client.post(url, {"reason": ""}).status_code == 200
    assert billing_db.snapshot() == snapshot
    r = billing_admin_client.post(url, {"reason": "estimate too high"})
    assert r["Location"] == reverse("billing:bill_detail", args=[acc.feb])
    feb = bill(billing_db, acc.feb)
    assert feb["status"] == "cancelled" and feb["credit_note_no"].startswith("CN-")
    page = text(billing_admin_client.get(r["Location"]))
    assert f"credit note {feb['credit_note_no']} for €9.03" in page
    assert "Not re-billed yet" in page and "Re-bill these days" in page
    # a reading after the period, then the re-bill interpolates towards it
    billing_db.call("record_reading", "SN-C-1", "2026-03-31", 200, "field", "staff:test")
    rebill = reverse("billing:bill_rebill", args=[acc.feb])
    snapshot = billing_db.snapshot()
    form = text(billing_admin_client.get(rebill))
    assert "1 Feb 2026 – 28 Feb 2026" in form
    # the preview of the re-bill (the engine's, discarded at once: nothing stays)
    assert "What the re-bill would be, issued today" in form and "total €4.75" in form
    assert "47.46 kWh" in form
    assert billing_db.snapshot() == snapshot
    r = billing_admin_client.post(rebill, {"issue_date": date.today().isoformat(),  # the web's
                                           "due_days": "14"})              # clock is the real one
    new_id = billing_db.value("SELECT bill_id FROM v_bill_summary WHERE replaces_bill_id = %s",
                              acc.feb)
    assert r["Location"] == reverse("billing:bill_detail", args=[new_id])
    new = bill(billing_db, new_id)
    # interpolated: ROUND(100 * 28 / 59, 2) = 47.46 kWh at 0.10 = 4.75
    assert (str(new["consumption_kwh"]), str(new["total_amount"])) == ("47.4600", "4.75")
    page = text(billing_admin_client.get(r["Location"]))
    assert f"Replaces bill {feb['bill_no']}" in page
    old = text(billing_admin_client.get(reverse("billing:bill_detail", args=[acc.feb])))
    assert f"Replaced by bill {new['bill_no']}" in old and f"re-billed as {new['bill_no']}" in old
    assert billing_db.rows("SELECT * FROM v_ledger_integrity") == []


def test_the_cancel_page_of_a_cancelled_bill_says_so_and_offers_no_cancel(billing_admin_client,
                                                                           acc, billing_db):
    """The cancel page is reachable by its address after the cancel: it said "Nothing was paid
    on it", warned about a later bill and offered "Cancel the bill", whose refusal came back
    twice. Now: cancelled already, when, by whom, the credit note; no form."""
    cn = billing_db.call("cancel_bill", acc.feb, "estimate too high", "staff:test")
    url = reverse("billing:bill_cancel", args=[acc.feb])
    r = billing_admin_client.get(url)
    page = text(r)
    feb = bill(billing_db, acc.feb)
    assert r.status_code == 200
    assert f"Bill {feb['bill_no']} is cancelled already" in page
    assert f"by staff:test: estimate too high. Credit note {cn['credit_note_no']}" in page
    assert "Its days are not billed again yet" in page
    assert "Nothing was paid on it" not in page and "later bill" not in page
    html = r.content.decode()
    assert "Cancel the bill" not in html and "<form method=\"post\" novalidate" not in html
    assert reverse("billing:bill_detail", args=[acc.feb]) in html
    # a POST (an old tab, a second click) calls nothing and says it once
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(url, {"reason": "again"}, follow=True)
    assert billing_db.snapshot() == snapshot
    assert r.redirect_chain[-1][0] == reverse("billing:bill_detail", args=[acc.feb])
    shown = [str(m) for m in r.context["messages"]]
    assert shown == [f"Bill {feb['bill_no']} was cancelled already on "
                     f"{formatting.when(feb['cancelled_at'])} (credit note "
                     f"{cn['credit_note_no']}): nothing was done."]


def test_the_true_down_flow_from_the_reading_page(billing_admin_client, acc, billing_db):
    entry = {"serial_no": "SN-C-1", "read_on": "2026-03-05", "value": "150", "source": "field"}
    for query in ("", "?value=x&serial_no=SN-C-1", "?value=NaN&serial_no=SN-C-1"):
        assert billing_admin_client.get(reverse("billing:true_down") + query).status_code == 200
    r = billing_admin_client.post(reverse("billing:reading_create"), entry)
    page = text(r)
    feb = bill(billing_db, acc.feb)
    assert r.status_code == 200 and r.context["form"].errors["value"] == [
        "The reading, 150, is below the meter's latest reading, 190.32, and is not a rollover."]
    assert "READING_BACKWARDS" not in page
    assert "The reading is below an estimate" in page and feb["bill_no"] in page
    link = re.search(r'href="(' + re.escape(reverse("billing:true_down")) + r'\?[^"]+)"',
                     r.content.decode()).group(1)
    offer = billing_admin_client.get(link.replace("&amp;", "&"))
    assert "Cancel bill" in text(offer) and 'value="150' in offer.content.decode()
    r = billing_admin_client.post(reverse("billing:true_down"),
                                  {**entry, "reason": "estimate too high"})
    page = text(r)
    assert r.status_code == 200 and "Estimate corrected" in page
    new_id = billing_db.value("SELECT bill_id FROM v_bill_summary WHERE replaces_bill_id = %s",
                              acc.feb)
    new = bill(billing_db, new_id)
    # interpolated towards the actual 150 on 03-05: ROUND(50 * 28 / 33, 2) = 42.42 kWh: 4.24
    assert (str(new["end_read_value"]), str(new["total_amount"])) == ("142.42", "4.24")
    assert f"New bill {new['bill_no']} issued" in page and "credit note CN-" in page
    # the cancelled bill's estimate is void; the new bill's interpolated one is dated the same day
    # (in reading id order: the query has no order of its own, and the rows come in an index's)
    assert [r["status"] for r in billing_db.rows(
        "SELECT status FROM meter_reading WHERE read_on = '2026-02-28' ORDER BY reading_id")] \
        == ["void", "accepted"]
    assert billing_db.rows("SELECT * FROM v_ledger_integrity") == []


def test_a_clerk_is_told_the_way_out_but_cannot_cancel(staff_client, acc, billing_db):
    entry = {"serial_no": "SN-C-1", "read_on": "2026-03-05", "value": "150", "source": "field"}
    page = text(staff_client.post(reverse("billing:reading_create"), entry))
    assert "below an estimate" in page and "billing admin can do this" in page
    assert staff_client.post(reverse("billing:true_down"),
                             {**entry, "reason": "x"}).status_code == 403
    assert staff_client.get(reverse("billing:refund_create",
                                    args=[acc.account_id])).status_code == 403


def test_a_refund_at_the_counter_with_a_slip(billing_admin_client, acc, billing_db):
    billing_db.call("post_payment", acc.account_id, "25.00", "cash", None, "k-c3", "staff:test")
    # 19.03 on the bills, 5.97 credit
    url = reverse("billing:refund_create", args=[acc.account_id])
    form = billing_admin_client.get(url)
    assert "5.97" in text(form)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.content.decode()).group(1)
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(url, {"amount": "6.00", "method": "cheque",
                                        "idempotency_key": key})
    assert "more than the credit on the account" in text(r)
    r = billing_admin_client.post(url, {"amount": "0.00", "method": "cheque",
                                        "idempotency_key": key})
    assert "Enter an amount above zero" in text(r)
    assert billing_db.snapshot() == snapshot
    r = billing_admin_client.post(url, {"amount": "5.00", "method": "cheque",
                                        "idempotency_key": key})
    refund = billing_db.row("SELECT * FROM v_refunds WHERE account_id = %s", acc.account_id)
    assert r["Location"] == reverse("billing:refund_slip", args=[refund["refund_id"]])
    slip = text(billing_admin_client.get(r["Location"]))
    assert "Refund slip" in slip and "5.00" in slip and "staff:bea" in slip
    # the same form again: paid back once; the same key for another amount: said plainly
    again = billing_admin_client.post(url, {"amount": "5.00", "method": "cheque",
                                            "idempotency_key": key})
    assert again["Location"] == r["Location"]
    r = billing_admin_client.post(url, {"amount": "0.50", "method": "cheque",
                                        "idempotency_key": key})
    assert "used already for another amount" in text(r)
    assert billing_db.value("SELECT COUNT(*) FROM refund") == 1


def test_a_reversed_payment_shows_reason_and_when_to_staff(manager_client, acc, billing_db):
    pid = billing_db.call("post_payment", acc.account_id, "3.00", "cheque", None, "k-c4",
                          "staff:test")["payment_id"]
    billing_db.call("reverse_payment", pid, "cheque bounced", "staff:test")
    page = text(manager_client.get(reverse("billing:payment_receipt", args=[pid])))
    assert "Reversed" in page and "cheque bounced" in page and "staff:test" in page
    page = text(manager_client.get(reverse("billing:account_detail", args=[acc.account_id])))
    assert "cheque bounced" in page


def test_the_portal_shows_cancel_credit_note_replacement_final_refunds_reversals(
        client, billing_db, acc, django_user_model):
    from portal.models import CustomerLogin
    from portal.services import create_customer_login
    create_customer_login(acc.customer_id)
    client.force_login(CustomerLogin.objects.get(customer_id=acc.customer_id).user)
    billing_db.call("post_payment", acc.account_id, "30.00", "cash", None, "k-c5", "staff:test")
    p2 = billing_db.call("post_payment", acc.account_id, "1.00", "cheque", None, "k-c6",
                         "staff:test")["payment_id"]
    billing_db.call("reverse_payment", p2, "cheque bounced", "staff:test")
    cn = billing_db.call("cancel_bill", acc.feb, "estimate too high", "staff:test")
    billing_db.call("record_reading", "SN-C-1", "2026-03-10", 180, "field", "staff:test")
    billing_db.call("close_account", acc.account_id, "2026-03-10", "staff:test")
    new = billing_db.call("bill_account", acc.account_id, "2026-02-01", "2026-02-28",
                          "2026-11-29", 14, "staff:test")["bill_id"]
    # (a period that ends on the closing day: the final bill, whatever run bills it)
    final = billing_db.call("bill_account", acc.account_id, "2026-03-01", "2026-03-10",
                            "2026-11-29", 14, "staff:test")["bill_id"]
    assert new and final, billing_db.rows("SELECT * FROM v_billing_exceptions")
    billing_db.call("refund_credit", acc.account_id, "1.00", "bank_transfer", "r-c5",
                    "staff:test")
    page = text(client.get(reverse("portal:bill_detail", args=[acc.feb])))
    assert "cancelled" in page and cn["credit_note_no"] in page
    assert bill(billing_db, new)["bill_no"] in page
    assert "final bill" in text(client.get(reverse("portal:bill_detail", args=[final])))
    # the print view and the PDF say as much (an outside review found them silent: a cancelled
    # bill's PDF said "Paid, thank you" and carried a payment slip for €0.00)
    feb_no, new_no = bill(billing_db, acc.feb)["bill_no"], bill(billing_db, new)["bill_no"]
    for document in document_texts(client, acc.feb):
        assert f"This bill was cancelled on" in document and cn["credit_note_no"] in document
        assert f"It is replaced by bill {new_no}" in document
        assert "Cancelled: not owed" in document and "Paid, thank you" not in document
        assert "How to pay" not in document and "Payment slip" not in document
    for document in [page_text(client, "portal:bill_detail", new), *document_texts(client, new)]:
        assert f"replaces bill {feb_no}" in document
    for document in document_texts(client, final):
        assert "final bill" in document
    payments = text(client.get(reverse("portal:payment_list")))
    assert "Refunds" in payments and "Bank transfer" in payments and "1.00" in payments
    assert "reversed" in payments and "cheque bounced" in payments


def page_text(client, name, bill_id):
    return text(client.get(reverse(name, args=[bill_id])))


def document_texts(client, bill_id):
    """The bill's print view and its PDF, as text."""
    from io import BytesIO

    from pypdf import PdfReader
    pdf = client.get(reverse("portal:bill_pdf", args=[bill_id])).content
    return [page_text(client, "portal:bill_print", bill_id),
            re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages))]


def test_a_portal_login_issued_is_audited(staff_client, acc, billing_db):
    r = staff_client.post(reverse("portal:staff_create_login", args=[acc.customer_id]))
    assert r.status_code == 302
    row = billing_db.row("SELECT * FROM v_audit_log WHERE action = 'portal_login_issued'")
    assert row["actor"] == "staff:clara" and row["row_key"] == str(acc.customer_id)
    assert json.loads(row["new_values"]) == {"username": acc.customer_no}
    assert row["customer_id"] == acc.customer_id
