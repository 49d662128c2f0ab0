"""Portal: the "Messages" page (what was e-mailed to the customer, each viewable again, no one
else's) and the e-mail preferences on the profile page (set_contact_preferences)."""
import pytest
from django.urls import reverse

from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
PASSWORD = "Kilowatt-hours-2026"


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


@pytest.fixture
def c(client, ada):
    create_customer_login(ada.customer_id, password=PASSWORD)
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    return client


def deliver_all(db):
    """What send_notices would record (the SMTP part is tested in tests/ops)."""
    for n in db.call_rows("claim_notices", "test", 100) or []:
        db.call("mark_notice", n["notice_id"], "test", "sent", f"<{n['notice_id']}@test>", None)


def test_messages_lists_what_was_sent_and_shows_each(c, ada, billing_db):
    other = make_portal_customer(billing_db, name="Bob", email="bob@example.org")
    deliver_all(billing_db)
    mine = billing_db.rows("SELECT * FROM v_notices WHERE customer_id = %s AND status = 'sent' "
                           "ORDER BY notice_id", ada.customer_id)
    assert [n["kind"] for n in mine] == ["bill_issued"] * 3 + ["payment_received"]
    r = c.get(reverse("portal:message_list"))
    assert r.status_code == 200
    assert sorted(n.notice_id for n in r.context["notices"]) == [n["notice_id"] for n in mine]
    html = r.content.decode()
    assert "Bill ready" in html and "Payment received" in html and "ada@example.org" in html
    bill_notice = mine[0]
    r = c.get(reverse("portal:message_detail", args=[bill_notice["notice_id"]]))
    page = r.content.decode()
    assert r.status_code == 200
    assert f"Your bill {bill_notice['bill_no']} is ready" in page
    assert f"Bill: {bill_notice['bill_no']}" in page
    theirs = billing_db.value("SELECT MIN(notice_id) FROM notice WHERE customer_id = %s",
                              other.customer_id)
    assert c.get(reverse("portal:message_detail", args=[theirs])).status_code == 404


def test_preferences_on_the_profile_page(c, ada, billing_db):
    r = c.get(reverse("portal:profile"))
    form = r.context["prefs_form"]
    assert form.initial == {"email_bills": True, "email_reminders": True, "paperless": False}
    r = c.post(reverse("portal:preferences"), {"prefs-email_reminders": "on", "prefs-paperless": "on"})
    assert r.status_code == 302
    row = billing_db.row("SELECT * FROM v_contact_preferences WHERE customer_id = %s", ada.customer_id)
    assert (row["email_bills"], row["email_reminders"], row["paperless"]) == (0, 1, 1)
    assert row["updated_by"].startswith("customer:")
    r = c.get(reverse("portal:profile"))
    assert r.context["prefs_form"].initial == {"email_bills": False, "email_reminders": True,
                                               "paperless": True}
    assert "Your e-mail preferences were saved." in r.content.decode()


def test_opening_the_preferences_address_leads_to_the_profile(c, ada, billing_db, client):
    """GET /my/profile/preferences/ (typed, bookmarked, the browser going back) answered a bare
    405 page: it leads to the profile page, where the form is, and changes nothing."""
    before = billing_db.row("SELECT COUNT(*) AS n FROM contact_preference")
    r = c.get(reverse("portal:preferences"))
    assert r.status_code == 302 and r["Location"] == reverse("portal:profile")
    assert c.get(r["Location"]).status_code == 200
    assert billing_db.row("SELECT COUNT(*) AS n FROM contact_preference") == before
    client.logout()
    r = client.get(reverse("portal:preferences"))          # anonymous: to the portal's login
    assert r.status_code == 302 and r["Location"].startswith(reverse("portal:login"))
