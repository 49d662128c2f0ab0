"""Roles (billing/roles.py): every back-office page refuses (403, nothing written) a role that may
not use it, lets the roles that may through, and the groups exist after migrate."""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

CLERK, ADMIN, MANAGER = "clerk", "billing_admin", "manager"
ALL = {CLERK, ADMIN, MANAGER}
DESK = {CLERK, ADMIN}
ADMIN_ONLY = {ADMIN}
REPORTS = {ADMIN, MANAGER}

# (url name, kwargs, method, roles allowed)
PAGES = [
    ("billing:home", {}, "get", ALL),
    ("billing:customer_search", {}, "get", ALL),
    ("billing:customer_detail", {"customer_id": 1}, "get", ALL),
    ("billing:customer_create", {}, "get", DESK),
    ("billing:customer_create", {}, "post", DESK),
    ("billing:customer_edit", {"customer_id": 1}, "post", DESK),
    ("billing:reading_create", {}, "post", DESK),
    ("billing:reading_detail", {"reading_id": 1}, "get", ALL),
    ("billing:account_open", {"customer_id": 1}, "post", DESK),
    ("portal:staff_create_login", {"customer_id": 1}, "post", DESK),
    ("portal:staff_login_link", {"customer_id": 1}, "post", DESK),
    ("portal:reconcile", {}, "get", REPORTS),
    ("portal:reconcile_settle", {"pk": 1}, "post", ADMIN_ONLY),
    ("billing:customer_audit", {"customer_id": 1}, "get", REPORTS),
    ("billing:account_detail", {"account_id": 1}, "get", ALL),
    ("billing:account_close", {"account_id": 1}, "post", DESK),
    ("billing:meter_install", {"account_id": 1}, "post", DESK),
    ("billing:discount_assign", {"account_id": 1}, "post", ADMIN_ONLY),
    ("billing:account_bill", {"account_id": 1}, "post", ADMIN_ONLY),
    ("billing:payment_create", {"account_id": 1}, "get", DESK),
    ("billing:payment_create", {"account_id": 1}, "post", DESK),
    ("billing:collections_day", {}, "get", ALL),
    ("billing:payment_receipt", {"payment_id": 1}, "get", ALL),
    ("billing:payment_reverse", {"payment_id": 1}, "get", ADMIN_ONLY),
    ("billing:payment_reverse", {"payment_id": 1}, "post", ADMIN_ONLY),
    ("billing:reading_upload", {}, "post", DESK),
    ("billing:review_queue", {}, "get", ALL),
    ("billing:reading_approve", {"reading_id": 1}, "post", DESK),
    ("billing:reading_reject", {"reading_id": 1}, "post", DESK),
    ("billing:run_list", {}, "get", ALL),
    ("billing:run_start", {}, "post", ADMIN_ONLY),
    ("billing:run_detail", {"run_id": 1}, "get", ALL),
    ("billing:run_progress", {"run_id": 1}, "get", ALL),
    ("billing:run_rerun", {"run_id": 1}, "post", ADMIN_ONLY),
    ("billing:run_job", {"token": "x"}, "get", ALL),
    ("billing:run_job_status", {"token": "x"}, "get", ALL),
    ("billing:late_fees", {}, "post", ADMIN_ONLY),
    ("billing:tariff_list", {}, "get", ALL),
    ("billing:tariff_create", {}, "post", ADMIN_ONLY),
    ("billing:tariff_version_create", {"code": "RES"}, "post", ADMIN_ONLY),
    ("billing:tariff_remove", {"code": "RES"}, "get", ADMIN_ONLY),
    ("billing:tariff_remove", {"code": "RES"}, "post", ADMIN_ONLY),
    ("billing:discount_create", {}, "post", ADMIN_ONLY),
    ("billing:tariff_whatif", {"code": "RES"}, "get", REPORTS),
    ("billing:tariff_whatif", {"code": "RES"}, "post", REPORTS),
    ("billing:tariff_whatif_result", {"code": "RES", "simulation_id": 1}, "get", REPORTS),
    ("billing:tariff_whatif_csv", {"code": "RES", "simulation_id": 1}, "get", REPORTS),
    ("billing:report_index", {}, "get", REPORTS),
    ("billing:report_aging", {}, "get", REPORTS),
    ("billing:report_collections", {}, "get", REPORTS),
    ("billing:report_revenue", {}, "get", REPORTS),
    ("billing:report_consumption", {}, "get", REPORTS),
    ("billing:audit", {}, "get", REPORTS),
]
# a POST that would change something if it were let through
POST_DATA = {"full_name": "Intruder", "closed_on": "2026-01-31", "serial_no": "SN-X",
             "dial_digits": "6", "multiplier": "1", "installed_on": "2026-01-01",
             "initial_read": "0", "discount_code": "D", "valid_from": "2026-01-01",
             "amount": "10.00", "method": "cash", "idempotency_key": "k-intruder",
             "reason": "no", "period_start": "2026-01-01", "period_end": "2026-01-31",
             "issue_date": "2026-02-01", "due_days": "14", "as_of": "2026-03-01",
             "code": "NEW", "name": "New", "pct": "5", "tariff_code": "RES",
             "service_address": "x", "opened_on": "2026-01-01"}


def login(client, django_user_model, role, username=None):
    user = django_user_model.objects.create_user(username=username or f"u-{role}",
                                                 password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def test_the_role_groups_exist_after_migrate_and_flush():
    assert set(Group.objects.values_list("name", flat=True)) >= ALL


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_is_refused_exactly_what_it_may_not_do(client, django_user_model, billing_db,
                                                         role):
    login(client, django_user_model, role)
    snapshot = billing_db.snapshot()
    for name, kwargs, method, allowed in PAGES:
        url = reverse(name, kwargs=kwargs)
        r = client.get(url) if method == "get" else client.post(url, POST_DATA)
        if role in allowed:
            assert r.status_code != 403, (role, name, method)
            snapshot = billing_db.snapshot()       # an allowed POST may change things
        else:
            assert r.status_code == 403, (role, name, method, r.status_code)
            assert billing_db.snapshot() == snapshot, (role, name)


def test_staff_without_a_role_group_are_refused_everywhere(client, django_user_model,
                                                           billing_db):
    user = django_user_model.objects.create_user(username="norole", password=PASSWORD,
                                                 is_staff=True)
    client.force_login(user)
    for name, kwargs, method, _ in PAGES:
        url = reverse(name, kwargs=kwargs)
        r = client.get(url) if method == "get" else client.post(url, POST_DATA)
        assert r.status_code == 403, (name, method)


def test_anonymous_users_go_to_the_login_page(client, billing_db):
    for name, kwargs, method, _ in PAGES:
        url = reverse(name, kwargs=kwargs)
        r = client.get(url) if method == "get" else client.post(url, POST_DATA)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), name


def test_a_superuser_has_every_role(client, django_user_model, billing_db):
    client.force_login(django_user_model.objects.create_superuser("root", password=PASSWORD,
                                                                  email=""))
    for name, kwargs, method, _ in PAGES:
        if method == "get":
            assert client.get(reverse(name, kwargs=kwargs)).status_code in (200, 404), name


def test_the_menu_offers_each_role_only_its_pages(client, django_user_model, billing_db):
    login(client, django_user_model, MANAGER)
    page = client.get(reverse("billing:home")).content.decode()
    assert reverse("billing:report_index") in page and reverse("billing:audit") in page
    assert reverse("billing:customer_create") not in page
    assert reverse("billing:reading_upload") not in page
    client.logout()
    login(client, django_user_model, CLERK)
    page = client.get(reverse("billing:home")).content.decode()
    assert reverse("billing:reading_upload") in page and reverse("billing:customer_create") in page
    assert reverse("billing:report_index") not in page and reverse("billing:audit") not in page


def test_demo_logins_get_their_roles(django_user_model, billing_db):
    from django.core.management import call_command
    django_user_model.objects.create_user(username="clerk", password=PASSWORD, is_staff=True)
    call_command("demo_logins", stdout=open("/dev/null", "w"))
    groups = {u.username: set(u.groups.values_list("name", flat=True))
              for u in django_user_model.objects.all()}
    assert groups["clerk"] == {CLERK}                    # an existing login gets its role too
    assert groups["billadmin"] == {ADMIN} and groups["manager"] == {MANAGER}
    assert django_user_model.objects.get(username="admin").is_superuser
    assert django_user_model.objects.get(username="manager").check_password("demo-billing-2026")
