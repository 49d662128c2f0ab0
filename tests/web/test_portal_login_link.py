"""The one-time set-password link (issue 16 §12): shown once from the server-side session, never
in the messages cookie; or e-mailed to the customer's billing address."""
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
LINK = re.compile(r"/my/password/set/[^<\s\"']+")


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db, with_history=False)


def cookies_text(client):
    return " ".join(f"{k}={m.value}" for k, m in client.cookies.items())


def test_the_link_is_shown_once_and_never_in_a_cookie(staff_client, ada):
    r = staff_client.post(reverse("portal:staff_create_login", args=[ada.customer_id]))
    assert r.status_code == 302 and not LINK.search(r["Location"])
    assert not LINK.search(cookies_text(staff_client))
    assert "messages" not in staff_client.cookies or not LINK.search(
        staff_client.cookies["messages"].value)
    page = staff_client.get(r["Location"])
    html = page.content.decode()
    assert LINK.search(html) and 'data-copy="login-link"' in html
    assert page["Cache-Control"] == "no-store"
    assert not LINK.search(cookies_text(staff_client))
    # shown once: a reload has no link, and offers the e-mail instead
    again = staff_client.get(r["Location"]).content.decode()
    assert not LINK.search(again) and "shown already" in again and "E-mail a link to a…@" in again
    # the customer page after it carries no link either
    detail = staff_client.get(reverse("billing:customer_detail", args=[ada.customer_id]))
    assert not LINK.search(detail.content.decode())
    assert settings.SESSION_ENGINE.endswith("db")          # the session is server-side


def test_the_link_can_be_emailed_to_the_billing_address(staff_client, ada, billing_db):
    staff_client.post(reverse("portal:staff_create_login", args=[ada.customer_id]))
    billing_db.call("update_customer", ada.customer_id, ada.name, "ada.now@example.org", None,
                    None, "staff:test")
    r = staff_client.post(reverse("portal:staff_login_link", args=[ada.customer_id]))
    assert r.status_code == 302
    assert [m.to for m in mail.outbox] == [["ada.now@example.org"]]
    link = LINK.search(mail.outbox[0].body).group(0)
    assert not LINK.search(cookies_text(staff_client))
    user = CustomerLogin.objects.get(customer_id=ada.customer_id).user
    r = staff_client.get(link, follow=True)
    assert r.context["validlink"] and r.context["form"].user == user


def test_no_email_on_file_sends_nothing(staff_client, billing_db):
    bob = make_portal_customer(billing_db, name="Bob", email=None, with_history=False)
    staff_client.post(reverse("portal:staff_create_login", args=[bob.customer_id]))
    r = staff_client.post(reverse("portal:staff_login_link", args=[bob.customer_id]),
                          follow=True)
    assert mail.outbox == [] and "no e-mail address" in r.content.decode()
