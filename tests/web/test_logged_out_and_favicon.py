"""Issues 21/22's small items: a "You are logged out" page on both sides, and the favicon
linked from both base templates (and from the error pages)."""
import pytest
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases=["default", "billing"])

ICON = f'<link rel="icon" href="{static("billing/favicon.svg")}" type="image/svg+xml">'


def test_the_portal_says_you_are_logged_out_with_a_way_back(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="c1", password="x"))
    r = client.post(reverse("portal:logout"))
    assert r.status_code == 302 and r["Location"] == reverse("portal:logged_out")
    page = client.get(r["Location"])
    assert page.status_code == 200 and "You are logged out" in page.content.decode()
    assert f'href="{reverse("portal:login")}"' in page.content.decode()
    assert ICON in page.content.decode()
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_both_sides_link_the_favicon(staff_client):
    assert ICON in staff_client.get(reverse("billing:home")).content.decode()
    client = Client()
    assert ICON in client.get(reverse("login")).content.decode()
    assert ICON in client.get(reverse("portal:login")).content.decode()
    r = client.get("/favicon.ico")
    assert r.status_code in (301, 302) and r["Location"] == static("billing/favicon.svg")
