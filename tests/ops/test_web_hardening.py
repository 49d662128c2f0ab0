"""Web hardening: /healthz, security headers, CSRF, session expiry, `check --deploy`."""
import secrets
import subprocess

import pytest
from django.conf import settings
from django.test import Client

from ops.jobhelp import PYTHON, ROOT

pytestmark = pytest.mark.django_db(databases=["default", "billing"])


def test_healthz_checks_both_databases(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "databases": {"default": "ok", "billing": "ok"}}
    assert "no-cache" in r.headers["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_healthz_503_when_a_database_is_down(client, monkeypatch):
    from django.db import connections
    conn = connections["billing"]
    conn.close()
    monkeypatch.setitem(conn.settings_dict, "PORT", "1")
    monkeypatch.setitem(conn.settings_dict, "HOST", "127.0.0.1")
    try:
        r = client.get("/healthz")
        assert r.status_code == 503
        assert r.json() == {"status": "error", "databases": {"default": "ok", "billing": "error"}}
    finally:
        conn.close()


def test_security_headers(client):
    r = client.get("/login/")
    assert r.status_code == 200
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["X-Frame-Options"] == "DENY"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def test_post_without_csrf_token_is_refused():
    c = Client(enforce_csrf_checks=True)
    r = c.post("/login/", {"username": "x", "password": "y"})
    assert r.status_code == 403


def test_no_debug_and_sessions_expire_when_idle():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_REFRESH_SECONDS == 60
    assert "config.sessions.SessionRefreshMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_HTTPONLY


def _session_writes(client, monkeypatch, at):
    """GET a page with the clock of config.sessions at `at`; the session rows it wrote."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    import config.sessions
    monkeypatch.setattr(config.sessions.time, "time", lambda: at)
    with CaptureQueriesContext(connections["default"]) as q:
        assert client.get("/healthz").status_code == 200
    return [x["sql"] for x in q if "django_session" in x["sql"] and not x["sql"].startswith("SELECT")]


def test_an_active_session_is_saved_again_once_a_minute_not_on_every_request(
        client, django_user_model, monkeypatch):
    from django.contrib.sessions.models import Session

    user = django_user_model.objects.create_user("idle-test", password="x-long-password-1")
    client.force_login(user)
    t0 = 2_000_000_000
    assert len(_session_writes(client, monkeypatch, t0)) == 1          # first stamp
    expiry = Session.objects.get().expire_date
    assert _session_writes(client, monkeypatch, t0 + 1) == []           # no write
    assert _session_writes(client, monkeypatch, t0 + 59) == []
    assert Session.objects.get().expire_date == expiry
    assert len(_session_writes(client, monkeypatch, t0 + 60)) == 1      # a minute on: saved
    assert Session.objects.get().expire_date > expiry
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 1800
    # an anonymous visitor gets no session at all
    anonymous = Client()
    assert _session_writes(anonymous, monkeypatch, t0) == []
    assert settings.SESSION_COOKIE_NAME not in anonymous.cookies


def test_check_deploy_passes(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "0", "DJANGO_SECURE_COOKIES": "1",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
           "DJANGO_ALLOWED_HOSTS": "billing.example.org",
           "BILLING_DATABASE_URL": "mysql://nobody@127.0.0.1:1/billing"}
    out = subprocess.run([PYTHON, str(ROOT / "webapp" / "manage.py"), "check", "--deploy"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout, out.stdout + out.stderr


def test_log_lines_carry_the_request_user_and_id(client, django_user_model):
    """Every line logged during a request names the request's user and id (the procedure
    lines of billing.services included, through the same filter)."""
    import logging

    from config.logcontext import RequestContextFilter

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__()
            self.records = []

        def emit(self, record):
            self.records.append(record)

    user = django_user_model.objects.create_user("loggy", password="pw-12345678", is_staff=True)
    client.force_login(user)
    keep = Keep()
    keep.addFilter(RequestContextFilter())
    logger = logging.getLogger("billing")
    logger.addHandler(keep)
    try:
        client.get("/healthz")
    finally:
        logger.removeHandler(keep)
    lines = [r for r in keep.records if r.name == "billing.request"]
    assert lines and lines[-1].user == "loggy" and lines[-1].request_id != "-"
    assert "GET /healthz status=200" in lines[-1].getMessage()
