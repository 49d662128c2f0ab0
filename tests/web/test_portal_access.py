"""Customer portal access: logins made by staff (one-time link) or by self-registration, password
reset by e-mail, the login rate limit (django-axes), and isolation: another customer's account,
bill or payment answers 404 on every URL; staff pages refuse customers, portal pages refuse staff."""
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import LoginExists, create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
PASSWORD = "Kilowatt-hours-2026"


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


@pytest.fixture
def bob(billing_db, ada):
    return make_portal_customer(billing_db, name="Bob Other", email="bob@example.org",
                                tariff=ada.tariff)


def test_staff_creates_a_login_and_the_one_time_link_sets_the_password(admin_client, ada):
    client = Client()
    r = admin_client.post(reverse("portal:staff_create_login", args=[ada.customer_id]))
    assert r.status_code == 302
    assert r["Location"] == reverse("portal:staff_login_link", args=[ada.customer_id])
    r = admin_client.get(r["Location"])
    assert r.status_code == 200
    url = re.search(r"http://testserver(/my/password/set/[^<\s]+)", r.content.decode()).group(1)
    login = CustomerLogin.objects.get(customer_id=ada.customer_id)
    assert (login.customer_no, login.created_by) == (ada.customer_no, "staff:admin")
    assert not login.user.has_usable_password() and login.user.email == "ada@example.org"
    r = client.get(url, follow=True)                # Django redirects to a session-bound URL
    assert r.context["validlink"]
    r = client.post(r.redirect_chain[-1][0], {"new_password1": PASSWORD,
                                              "new_password2": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("portal:password_set_done")
    r = client.post(reverse("portal:login"), {"username": ada.customer_no, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("portal:dashboard")
    # the link works once
    assert client.get(url, follow=True).context["validlink"] is False
    # a second login for the same customer is refused
    assert admin_client.post(reverse("portal:staff_create_login",
                                     args=[ada.customer_id])).status_code == 409
    with pytest.raises(LoginExists):
        create_customer_login(ada.customer_id)


def test_creating_logins_is_staff_only_and_needs_a_customer(admin_client, ada):
    url = reverse("portal:staff_create_login", args=[ada.customer_id])
    assert Client().post(url).status_code == 302                   # anonymous: to the login
    assert admin_client.post(reverse("portal:staff_create_login", args=[999999])).status_code == 404
    assert not CustomerLogin.objects.exists()


def _register(client, c, amount, **extra):
    return client.post(reverse("portal:register"), {
        "customer_no": c.customer_no, "account_no": c.account_no, "last_bill_amount": amount,
        "password1": PASSWORD, "password2": PASSWORD, **extra})


def test_self_registration_proves_ownership_with_the_last_bill(client, billing_db, ada, bob):
    last = billing_db.value("SELECT total_amount FROM v_bill_summary WHERE bill_id = %s",
                            ada.bill_ids[-1])
    for bad in [_register(client, ada, "56.31"),                       # wrong amount
                _register(client, ada, str(last), account_no=bob.account_no),  # not her account
                _register(client, ada, "48.40")]:                      # an older bill's amount
        assert bad.status_code == 200
        assert "do not match our records" in bad.content.decode()
        assert 'value="%s"' % ada.customer_no in bad.content.decode()     # input kept
    assert not CustomerLogin.objects.exists()
    r = _register(client, ada, str(last))
    assert r.status_code == 302 and r["Location"] == reverse("portal:dashboard")
    login = CustomerLogin.objects.get()
    assert (login.customer_id, login.created_by) == (ada.customer_id, "self-registration")
    assert client.get(reverse("portal:dashboard")).status_code == 200
    client.logout()
    r = _register(client, ada, str(last))
    assert "You have a login already" in r.content.decode()


def test_self_registration_takes_the_amount_printed_on_the_bill_after_a_late_fee(client, billing_db):
    """Issue 21: an overdue customer types the total printed on the bill, not the total after
    the late fee charged since."""
    import datetime as dt
    db = billing_db
    cy = make_portal_customer(db, name="Cy Overdue", email="cy@example.org", with_history=False)
    today = db.value("SELECT CURRENT_DATE")
    db.call("record_reading", cy.serial, today - dt.timedelta(days=66), 1400, "field", "staff:test")
    bill = db.call("bill_account", cy.account_id, today - dt.timedelta(days=95),
                   today - dt.timedelta(days=66), today - dt.timedelta(days=65), 14,
                   "staff:test")["bill_id"]
    assert db.call("apply_late_fees", today, "batch:late_fees")["bills_charged"] == 1
    printed, now = db.row("SELECT issued_total, total_amount FROM v_bill_summary WHERE bill_id = %s",
                          bill).values()
    assert now > printed
    assert "do not match our records" in _register(client, cy, str(now)).content.decode()
    r = _register(client, cy, str(printed))
    assert r.status_code == 302 and CustomerLogin.objects.get().customer_id == cy.customer_id


def test_self_registration_is_locked_after_five_refused_proofs_per_address(client, billing_db,
                                                                          ada, bob):
    """Any customer numbers: five refused proofs from one address lock the form (axes)."""
    last = billing_db.value("SELECT total_amount FROM v_bill_summary WHERE bill_id = %s",
                            ada.bill_ids[-1])
    for who in (ada, bob, ada, bob):
        r = _register(client, who, "0.01")
        assert r.status_code == 200 and "do not match our records" in r.content.decode()
    r = _register(client, bob, "0.02")
    assert r.status_code == 429 and "Too many failed attempts to register" in r.content.decode()
    # now even the right proof is refused for a while, and nothing was created
    r = _register(client, ada, str(last))
    assert r.status_code == 429
    assert not CustomerLogin.objects.exists()
    # logging in is a separate count: a customer with a login still logs in from here
    create_customer_login(bob.customer_id, password=PASSWORD)
    r = client.post(reverse("portal:login"), {"username": bob.customer_no, "password": PASSWORD})
    assert r.status_code == 302


def test_password_reset_by_email_for_customers_only(client, django_user_model, ada):
    create_customer_login(ada.customer_id, password=PASSWORD)
    django_user_model.objects.create_user("staffer", "ada@example.org", PASSWORD, is_staff=True)
    r = client.post(reverse("portal:password_reset"), {"email": "ada@example.org"})
    assert r.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert ada.customer_no in body
    link = re.search(r"http://testserver(/my/password/set/\S+)", body).group(1)
    r = client.get(link, follow=True)
    r = client.post(r.redirect_chain[-1][0], {"new_password1": "N3w-pass-phrase!",
                                              "new_password2": "N3w-pass-phrase!"})
    assert r.status_code == 302
    r = client.post(reverse("portal:login"), {"username": ada.customer_no,
                                              "password": "N3w-pass-phrase!"})
    assert r.status_code == 302


def test_login_is_locked_after_five_failures_per_user_and_ip(client, ada, staff_user):
    create_customer_login(ada.customer_id, password=PASSWORD)
    url = reverse("portal:login")
    for _ in range(4):
        r = client.post(url, {"username": ada.customer_no, "password": "wrong"})
        assert r.status_code == 200 and "did not match" in r.content.decode()
    r = client.post(url, {"username": ada.customer_no, "password": "wrong"})
    assert r.status_code == 429 and "Too many failed" in r.content.decode()
    # locked even with the right password now
    assert client.post(url, {"username": ada.customer_no, "password": PASSWORD}).status_code == 429
    # another user name from the same address (staff) still logs in
    r = client.post(reverse("login"), {"username": "clara",
                                       "password": "correct horse battery staple"})
    assert r.status_code == 302 and r["Location"] == reverse("billing:home")


def test_a_successful_login_resets_the_failure_count(client, ada):
    create_customer_login(ada.customer_id, password=PASSWORD)
    url = reverse("portal:login")
    for _ in range(4):
        client.post(url, {"username": ada.customer_no, "password": "wrong"})
    assert client.post(url, {"username": ada.customer_no, "password": PASSWORD}).status_code == 302
    client.post(reverse("portal:logout"))
    for _ in range(4):
        assert client.post(url, {"username": ada.customer_no, "password": "x"}).status_code == 200


def _customer_client(client, c):
    create_customer_login(c.customer_id, password=PASSWORD)
    client.force_login(CustomerLogin.objects.get(customer_id=c.customer_id).user)
    return client


def test_every_portal_url_needs_a_customer_login(staff_client, ada):
    client = Client()
    pay_id = 1
    urls = [reverse("portal:dashboard"), reverse("portal:bill_list"),
            reverse("portal:bill_detail", args=[ada.bill_ids[0]]),
            reverse("portal:bill_print", args=[ada.bill_ids[0]]),
            reverse("portal:bill_pdf", args=[ada.bill_ids[0]]),
            reverse("portal:pay", args=[ada.account_id]), reverse("portal:payment_list"),
            reverse("portal:payment_detail", args=[pay_id]),
            reverse("portal:payment_pdf", args=[pay_id]), reverse("portal:profile"),
            reverse("portal:password_change")]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("portal:login")), url
        assert staff_client.get(url).status_code == 403, url      # staff: not a customer


def test_staff_pages_refuse_a_customer(client, ada):
    c = _customer_client(client, ada)
    for url in [reverse("billing:home"), reverse("billing:customer_search"),
                reverse("billing:customer_detail", args=[ada.customer_id]),
                reverse("billing:reading_create")]:
        assert c.get(url).status_code == 403, url
    assert c.post(reverse("portal:staff_create_login", args=[ada.customer_id])).status_code == 403
    assert c.get("/admin/").status_code == 302                   # the admin's own login page


def test_another_customers_ids_answer_404_on_every_url(client, billing_db, ada, bob):
    bob_payment = billing_db.value("SELECT payment_id FROM payment WHERE account_id = %s",
                                   bob.account_id)
    c = _customer_client(client, ada)
    before = billing_db.snapshot()
    for url in [reverse("portal:bill_detail", args=[bob.bill_ids[0]]),
                reverse("portal:bill_print", args=[bob.bill_ids[0]]),
                reverse("portal:bill_pdf", args=[bob.bill_ids[0]]),
                reverse("portal:pay", args=[bob.account_id]),
                reverse("portal:payment_detail", args=[bob_payment]),
                reverse("portal:payment_pdf", args=[bob_payment]),
                reverse("portal:bill_detail", args=[999999]),
                reverse("portal:payment_detail", args=[999999])]:
        assert c.get(url).status_code == 404, url
    r = c.post(reverse("portal:pay", args=[bob.account_id]), {
        "amount": "10.00", "card_holder": "A", "card_number": "4242424242424242",
        "card_expiry": "12/30", "card_cvc": "123", "idempotency_key": "k" * 32})
    assert r.status_code == 404
    assert billing_db.snapshot() == before
    # lists show only her own rows
    bills = c.get(reverse("portal:bill_list")).context["bills"]
    assert sorted(b.bill_id for b in bills) == sorted(ada.bill_ids)
    assert {p.account_id for p in c.get(reverse("portal:payment_list")).context["payments"]} == {
        ada.account_id}
    assert [a.account_id for a in c.get(reverse("portal:dashboard")).context["accounts"]] == [
        ada.account_id]
    # filtering by another customer's account is not a choice of the form: nothing of his shows
    r = c.get(reverse("portal:bill_list"), {"account": bob.account_id})
    assert r.context["form"].errors and {b.account_id for b in r.context["bills"]} == {
        ada.account_id}
