"""403 and 404 pages of their side, and logins at the wrong door (config.errorpages,
billing.views.login, portal.views.PortalLoginView).

A staff 403 or 404 (a manager opening /readings/new/) was the portal's page: "My electricity
account", a link to /my/, the customers' phone line. A customer who logged in at the staff
login landed on a 403 at / whose "Back to the start page" led to / again; staff who logged in at
/my/login/ landed on a 403 at /my/ whose "Back to your account" looped too; no error page had a
Log out button. Now: a staff URL's page is the back office's; every way back leads where the user
can go; a 403 offers Log out; each login refuses the other side's accounts with a sentence that
points to the right one."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
PASSWORD = "Kilowatt-hours-2026"
STAFF_PASSWORD = "correct horse battery staple"         # tests/web/conftest.py's


@pytest.fixture
def ada(billing_db):
    c = make_portal_customer(billing_db)
    create_customer_login(c.customer_id, password=PASSWORD)
    return c


def customer_client(ada):
    c = Client()
    c.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    return c


def buttons(response):
    """The error page's actions: (text, href) of its links and (text, form action) of its
    buttons, in order."""
    html = response.content.decode()
    box = html[html.index('class="actions error-actions"'):]
    box = box[:box.index("</div>")]
    links = re.findall(r'<a class="button[^"]*" href="([^"]+)">([^<]+)</a>', box)
    forms = re.findall(r'<form method="post" action="([^"]+)"[^>]*>.*?<button[^>]*>([^<]+)'
                       r'</button>', box, re.S)
    return [(t, h) for h, t in links] + [(t, a) for a, t in forms]


def assert_staff_page(r):
    page = r.content.decode()
    assert '<a class="brand" href="/">Electricity billing</a>' in page and "Staff use only." in page
    assert "My electricity account" not in page and "portal.css" not in page
    assert "0800 555 0142" not in page


def assert_portal_page(r):
    page = r.content.decode()
    assert '<a class="brand" href="/my/">My electricity account</a>' in page
    assert "portal.css" in page and "Electricity billing</a>" not in page


def test_a_manager_opening_reading_entry_gets_the_staff_403_with_log_out(manager_client):
    r = manager_client.get(reverse("billing:reading_create"))
    assert r.status_code == 403
    assert_staff_page(r)
    assert "Your login, max, does not give access to this page" in r.content.decode()
    assert buttons(r) == [("Back to the start page", "/"), ("Log out", reverse("logout"))]
    assert 'name="csrfmiddlewaretoken"' in r.content.decode()
    assert manager_client.get("/").status_code == 200               # the way back opens
    assert manager_client.post(reverse("logout")).status_code == 302
    assert manager_client.get("/").status_code == 302                # logged out


def test_staff_404_is_the_staff_page(staff_client):
    r = staff_client.get("/no/such/page/")
    assert r.status_code == 404
    assert_staff_page(r)
    assert "Page not found" in r.content.decode()
    assert buttons(r) == [("Back to the start page", "/")]
    r = staff_client.get(reverse("billing:account_detail", args=[999999]))   # Http404 in a view
    assert r.status_code == 404
    assert_staff_page(r)


def test_an_anonymous_404_leads_to_the_staff_login_and_names_the_customers_one(client, billing_db):
    r = client.get("/no/such/page/")
    assert r.status_code == 404
    assert_staff_page(r)
    assert buttons(r) == [("Staff log in", reverse("login"))]
    assert f'href="{reverse("portal:dashboard")}">Log in to your account</a>' in \
        r.content.decode()


def test_the_portals_back_office_pages_answer_with_the_staff_page(manager_client, ada):
    """/my/staff/... are staff pages (portal.staff, portal.reconcile): a manager may not create
    a portal login."""
    r = manager_client.post(reverse("portal:staff_create_login", args=[ada.customer_id]))
    assert r.status_code == 403
    assert_staff_page(r)


def test_a_customer_on_a_staff_page_is_led_to_the_account_and_may_log_out(ada):
    c = customer_client(ada)
    r = c.get("/")
    assert r.status_code == 403
    assert_staff_page(r)
    assert f"as customer {ada.customer_no}" in r.content.decode()
    assert buttons(r) == [("Go to your account", reverse("portal:dashboard")),
                          ("Log out", reverse("portal:logout"))]
    assert c.get(reverse("portal:dashboard")).status_code == 200
    r = c.post(reverse("portal:logout"))
    assert r["Location"] == reverse("portal:logged_out")


def test_staff_on_the_portal_are_led_to_the_staff_start_page_and_may_log_out(staff_client):
    r = staff_client.get(reverse("portal:dashboard"))
    assert r.status_code == 403
    assert_portal_page(r)
    assert "you are logged in with the staff login clara" in r.content.decode()
    assert buttons(r) == [("Go to the staff start page", "/"), ("Log out", reverse("logout"))]
    assert staff_client.get("/").status_code == 200
    r = staff_client.get("/my/no/such/page/")
    assert r.status_code == 404 and buttons(r) == [("Go to the staff start page", "/")]


def test_a_login_without_a_role_is_offered_only_log_out(client, django_user_model, billing_db):
    """The start page answers 403 to it too: "Back to the start page" would loop."""
    client.force_login(django_user_model.objects.create_user("pat", password=STAFF_PASSWORD,
                                                             is_staff=True))
    for url in ("/", reverse("portal:dashboard")):
        r = client.get(url)
        assert r.status_code == 403 and buttons(r) == [("Log out", reverse("logout"))], url
        assert "pat" in r.content.decode()


def test_the_customers_own_404_leads_back_to_the_account(ada):
    r = customer_client(ada).get("/my/bills/999999/")
    assert r.status_code == 404
    assert_portal_page(r)
    assert buttons(r) == [("Back to your account", reverse("portal:dashboard"))]


# --- logins at the wrong door -------------------------------------------------------------------
def logged_in(client):
    return "_auth_user_id" in client.session


def test_the_staff_login_refuses_a_customer_and_points_to_the_customers_login(client, ada):
    r = client.post(reverse("login"), {"username": ada.customer_no, "password": PASSWORD})
    assert r.status_code == 200 and not logged_in(client)
    page = r.content.decode()
    assert "This is the staff login: a customer's login does not open it." in page
    assert f'<a href="{reverse("portal:login")}">log in to their electricity account here</a>' \
        in page
    assert "did not match" not in page
    # the right door opens
    r = client.post(reverse("portal:login"), {"username": ada.customer_no, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("portal:dashboard")
    # logged in as a customer, the staff login leads to the account, not to a 403
    r = client.get(reverse("login"))
    assert r.status_code == 302 and r["Location"] == reverse("portal:dashboard")


def test_the_portal_login_refuses_staff_and_points_to_the_staff_login(client, staff_user,
                                                                      billing_db):
    r = client.post(reverse("portal:login"), {"username": "clara", "password": STAFF_PASSWORD})
    assert r.status_code == 200 and not logged_in(client)
    page = r.content.decode()
    assert "a staff login does not open it" in page
    assert f'<a href="{reverse("login")}">log in to the back office here</a>' in page
    assert "did not match" not in page
    r = client.post(reverse("login"), {"username": "clara", "password": STAFF_PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("billing:home")
    r = client.get(reverse("portal:login"))
    assert r.status_code == 302 and r["Location"] == reverse("billing:home")


def test_a_wrong_password_at_either_login_still_says_so(client, ada, staff_user):
    r = client.post(reverse("login"), {"username": ada.customer_no, "password": "wrong"})
    assert "did not match" in r.content.decode() and "staff login:" not in r.content.decode()
    r = client.post(reverse("portal:login"), {"username": "clara", "password": "wrong"})
    assert "did not match" in r.content.decode() and "a staff login" not in r.content.decode()
    assert get_user_model().objects.count() == 2
