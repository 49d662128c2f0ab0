"""Password reset: the link goes to the billing customer's current e-mail (issue 16 §4), and
reset mails are rate-limited per address and per client with the same answer (§13)."""
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from billing import services
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
PASSWORD = "Kilowatt-hours-2026"


@pytest.fixture
def ada(billing_db):
    ada = make_portal_customer(billing_db, with_history=False)
    create_customer_login(ada.customer_id, password=PASSWORD)
    return ada


def reset(client, email):
    r = client.post(reverse("portal:password_reset"), {"email": email})
    assert r.status_code == 302 and r["Location"] == reverse("portal:password_reset_done")
    return r


def test_staff_changes_the_email_and_the_link_goes_to_the_new_address(client, ada):
    """The probe's repro: staff update_customer changes the e-mail; a reset for the old address
    must not mail the old mailbox, the new address gets the link."""
    services.update_customer(customer_id=ada.customer_id, full_name=ada.name,
                             email="ada.new@example.org", phone=None, address=None,
                             actor="staff:test")
    reset(client, "ada@example.org")
    assert mail.outbox == []
    reset(client, "ADA.new@example.org")
    assert [m.to for m in mail.outbox] == [["ada.new@example.org"]]
    assert ada.customer_no in mail.outbox[0].body
    assert CustomerLogin.objects.get(customer_id=ada.customer_id).user.email == \
        "ada.new@example.org"


def test_a_customer_without_an_email_gets_nothing(client, ada):
    services.update_customer(customer_id=ada.customer_id, full_name=ada.name, email=None,
                             phone=None, address=None, actor="staff:test")
    reset(client, "ada@example.org")
    assert mail.outbox == []


def test_at_most_three_mails_per_address_an_hour_with_the_same_answer(ada):
    for n in range(5):
        reset(Client(REMOTE_ADDR=f"192.0.2.{n}"), "ada@example.org")
    assert len(mail.outbox) == 3


def test_at_most_ten_requests_per_client_an_hour(billing_db):
    people = []
    for n in range(12):
        c = make_portal_customer(billing_db, name=f"P{n}", email=f"p{n}@example.org",
                                 with_history=False)
        create_customer_login(c.customer_id, password=PASSWORD)
        people.append(c)
    client = Client(REMOTE_ADDR="198.51.100.9")
    for c in people:
        reset(client, c.email)
    assert len(mail.outbox) == 10
    reset(Client(REMOTE_ADDR="198.51.100.10"), people[-1].email)    # another client: sent
    assert len(mail.outbox) == 11
