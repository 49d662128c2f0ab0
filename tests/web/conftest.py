"""pytest-django for the web layer, without touching the DB tests' configuration.

Django is configured here (not in pytest.ini) so that tests/db runs as before: the webapp/
directory goes on sys.path and DJANGO_SETTINGS_MODULE is config.settings.

Databases: `billing` points at the session's migrated test schema (the `db_url` fixture of
tests/conftest.py, built with the production yoyo migrations); `default` (Django's own tables)
at a second fresh database, <that name>_web, made and `migrate`d here. Tests that call
procedures use `@pytest.mark.django_db(transaction=True, databases=[...])`: procedures commit
their own transactions, so they must not run inside the test case's atomic block (services.py
refuses to). Django's flush skips the unmanaged billing models; the billing tables are emptied
by the `db` fixture (TRUNCATE), which every test here requests through `billing_db`.
"""
import os
import sys
from pathlib import Path

import MySQLdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "webapp"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings as _settings  # noqa: E402

from config.dburl import database_settings, server_kwargs, with_database  # noqa: E402

# passwords hashed with 1,000 PBKDF2 iterations, not 1,000,000 (web/hashers.py); checked by the
# same algorithm. Before any password is made: Django caches its hashers on first use.
_settings.PASSWORD_HASHERS = ["web.hashers.FastPBKDF2PasswordHasher",
                              *_settings.PASSWORD_HASHERS]

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def django_db_setup(db_url, django_db_blocker):
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    billing = database_settings(db_url, isolation_level="repeatable read",
                                lock_wait_timeout=settings.BILLING_LOCK_WAIT_TIMEOUT)
    web_name = billing["NAME"] + "_web"
    server = MySQLdb.connect(**server_kwargs(db_url))
    cur = server.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS `{web_name}`")
    cur.execute(f"CREATE DATABASE `{web_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    targets = {"billing": billing,
               "default": database_settings(with_database(db_url, web_name))}
    with django_db_blocker.unblock():
        for alias, new in targets.items():
            connections[alias].close()
            settings.DATABASES[alias].update(new)
            connections[alias].settings_dict.update(new)
        call_command("migrate", database="default", interactive=False, verbosity=0)
    yield
    with django_db_blocker.unblock():
        connections.close_all()
    cur.execute(f"DROP DATABASE IF EXISTS `{web_name}`")
    server.close()


@pytest.fixture
def billing_db(db):
    """The project's `db` fixture (an emptied billing schema), for arranging and checking."""
    return db


def _user(django_user_model, username, **flags):
    return django_user_model.objects.create_user(username=username, password=PASSWORD, **flags)


def _with_role(user, role):
    """Puts a user in a staff role group (billing/roles.py; the groups exist after migrate)."""
    from django.contrib.auth.models import Group
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def staff_user(django_user_model):
    """A clerk (staff, group `clerk`): the back office's everyday role."""
    return _with_role(_user(django_user_model, "clara", is_staff=True), "clerk")


@pytest.fixture
def billing_admin_client(client, django_user_model):
    client.force_login(_with_role(_user(django_user_model, "bea", is_staff=True),
                                  "billing_admin"))
    return client


@pytest.fixture
def manager_client(client, django_user_model):
    client.force_login(_with_role(_user(django_user_model, "max", is_staff=True), "manager"))
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
