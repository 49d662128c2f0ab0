"""The dashboard shows a bill's total as the bill list does (its total now: after an early-payment
rebate granted or a late fee charged since it was issued), says the figure as issued beside it
when the two differ, and labels "why this bill differs" as comparing totals as issued (the rules:
billing-rules.md, "Why a bill differs").

Found by an outside review: the latest bill and the usage table showed the issued total, e.g.
€26.05 where the bill page and the bill list said €25.64 (a rebate granted), without saying so."""
import re

import pytest
from django.urls import reverse

from billing import formatting
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
money = formatting.money


@pytest.fixture
def earned(billing_db, client):
    """Ada's latest bill earned its rebate: she paid everything open before its rebate date."""
    db = billing_db
    ada = make_portal_customer(db)
    owed = db.value("SELECT balance FROM v_account_balance WHERE account_id = %s", ada.account_id)
    db.call("post_payment", ada.account_id, owed, "cash", None, "earn-all", "staff:clara")
    create_customer_login(ada.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    return ada


def row_text(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


def test_the_latest_bill_shows_the_total_of_the_bill_list(earned, billing_db, client):
    db = billing_db
    latest = db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", earned.bill_ids[-1])
    assert latest["rebate_granted"] == 1 and latest["total_amount"] < latest["issued_total"]
    page = client.get(reverse("portal:dashboard")).content.decode()
    bill_list = client.get(reverse("portal:bill_list")).content.decode()
    row = next(r for r in re.findall(r"(?s)<tr[^>]*>(.*?)</tr>", bill_list)
               if latest["bill_no"] in r)
    assert money(latest["total_amount"]) in row_text(row)

    text = row_text(page)
    assert (f"Bill {latest['bill_no']}" in text
            and f"{formatting.kwh(latest['consumption_kwh'])}, {money(latest['total_amount'])} "
                f"({money(latest['issued_total'])} as issued, less the early-payment rebate you "
                f"earned), paid." in text)
    # "why this bill differs" compares the issued totals, and says so
    sentence = re.search(r'(?s)<p class="why-sentence">(.*?)</p>', page).group(1)
    assert row_text(sentence).startswith("This bill is ")
    assert row_text(sentence).endswith(
        "(Bills compared as issued, before any early-payment rebate or late fee.)")
    # the usage table's cost of this period: the bill list's figure
    this = re.search(r'(?s)<tr class="compared-row">(.*?)</tr>', page).group(1)
    assert f'<td data-label="Cost" class="num">{money(latest["total_amount"])}</td>' in this


def test_a_bill_unchanged_since_issue_has_no_as_issued_note(billing_db, client):
    ada = make_portal_customer(billing_db)
    create_customer_login(ada.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    latest = billing_db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", ada.bill_ids[-1])
    assert latest["total_amount"] == latest["issued_total"]
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert f'class="latest-total">{money(latest["total_amount"])}<' in page
    assert 'class="muted as-issued"' not in page
