"""Every staff page needs a logged-in staff user; the login page works with a real password."""
import pytest
from django.urls import reverse

from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

STAFF_PAGES = [
    ("billing:home", {}),
    ("billing:customer_search", {}),
    ("billing:customer_create", {}),
    ("billing:customer_detail", {"customer_id": 1}),
    ("billing:customer_edit", {"customer_id": 1}),
    ("billing:reading_create", {}),
    ("billing:reading_detail", {"reading_id": 1}),
]


@pytest.mark.parametrize("name, kwargs", STAFF_PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    for method in (client.get, client.post):
        r = method(url)
        assert r.status_code == 302
        assert r["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name, kwargs", STAFF_PAGES)
def test_logged_in_users_who_are_not_staff_are_refused(client, django_user_model, billing_db,
                                                       name, kwargs):
    user = django_user_model.objects.create_user(username="pat", password=PASSWORD)
    client.force_login(user)
    snapshot = billing_db.snapshot()
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403
    assert client.post(reverse(name, kwargs=kwargs),
                       {"full_name": "X", "serial_no": "S", "read_on": "2026-01-01",
                        "value": "1", "source": "field"}).status_code == 403
    assert billing_db.snapshot() == snapshot


def test_staff_log_in_with_their_password_and_reach_the_home_page(client, staff_user, billing_db):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'<label for="id_username">' in page.content
    r = client.post(reverse("login"), {"username": "clara", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("billing:home")
    home = client.get(reverse("billing:home"))
    assert home.status_code == 200
    assert b"Staff home" in home.content and b"clara" in home.content


def test_a_wrong_password_is_refused_on_the_login_page(client, staff_user, billing_db):
    r = client.post(reverse("login"), {"username": "clara", "password": "wrong"})
    assert r.status_code == 200
    assert b"did not match" in r.content
    assert client.get(reverse("billing:home")).status_code == 302


@pytest.mark.parametrize("login", ["login", "portal:login"])
def test_an_overlong_username_is_refused_by_the_form_not_the_database(client, staff_user,
                                                                      billing_db, login):
    """AuthenticationForm renders maxlength but does not check it: a longer name used to reach
    django-axes' record of the failed log-in (a 255-character column) and a server error page.
    Now the form refuses it with the page's usual sentence, and no log-in is tried (nothing
    for axes to count)."""
    from axes.models import AccessAttempt
    r = client.post(reverse(login), {"username": "x" * 10_000, "password": "wrong"})
    assert r.status_code == 200
    assert b"did not match" in r.content
    assert b'maxlength="150"' in r.content
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("login, name", [("login", "user name"),
                                         ("portal:login", "customer number")])
@pytest.mark.parametrize("sent", [{}, {"username": "ann"}, {"password": "x"}],
                         ids=["both_empty", "no_password", "no_name"])
def test_a_login_sent_empty_names_what_is_missing(client, billing_db, login, name, sent):
    """Sent with a field empty, the page says which (it said the name and password did not
    match, which they could not; found by a walk of the forms), and no log-in is tried."""
    from axes.models import AccessAttempt
    r = client.post(reverse(login), {"username": "", "password": "", **sent})
    page = r.content.decode()
    assert r.status_code == 200 and "did not match" not in page
    assert (f"Type your {name}." in page) == ("username" not in sent)
    assert ("Type your password." in page) == ("password" not in sent)
    assert not AccessAttempt.objects.exists()


def test_log_out_ends_the_session(staff_client, billing_db):
    assert staff_client.get(reverse("billing:home")).status_code == 200
    r = staff_client.post(reverse("logout"))
    assert r.status_code == 302 and r["Location"] == reverse("logged_out")
    page = staff_client.get(r["Location"])
    assert b"You are logged out" in page.content
    assert f'href="{reverse("login")}"'.encode() in page.content and b"Log in again" in page.content
    assert staff_client.get(reverse("billing:home")).status_code == 302


def test_pages_load_their_stylesheet_from_the_app_not_a_cdn(staff_client, billing_db):
    page = staff_client.get(reverse("billing:home")).content.decode()
    assert '<link rel="stylesheet" href="/static/billing/site.css">' in page
    assert "http://" not in page and "https://" not in page
    assert '<meta name="viewport"' in page and 'href="#main"' in page
