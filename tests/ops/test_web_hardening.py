"""Web hardening: /healthz, security headers, CSRF, session expiry, `check --deploy`, login
throttling under gunicorn on a unix socket behind nginx's X-Forwarded-For."""
import http.client
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.parse

import pytest
from django.conf import settings
from django.test import Client

from config.dburl import with_database
from ops.jobhelp import PYTHON, ROOT, job_env
from web.conftest import PASSWORD

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


# --- login throttling behind nginx: gunicorn on a unix socket (issue 16 §2) ------------------
class _UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.unix_path)


class _Browser:
    """A minimal cookie-keeping HTTP client on gunicorn's unix socket."""

    def __init__(self, path):
        self.path, self.cookies = path, {}

    def request(self, method, url, body=None, headers=()):
        conn = _UnixHTTP(self.path)
        h = {"Host": "localhost", **dict(headers)}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, url, body=body, headers=h)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, value = v.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
        conn.close()
        return r.status, text

    def login(self, username, password, xff):
        headers = {"X-Forwarded-For": xff} if xff else {}
        status, html = self.request("GET", "/login/", headers=headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        return self.request("POST", "/login/", {"csrfmiddlewaretoken": token,
                                                "username": username, "password": password},
                            headers={**headers, "Referer": "http://localhost/login/"})[0]


@pytest.fixture
def gunicorn(db_url, tmp_path):
    """The app under gunicorn on a unix socket, as deploy/systemd/billing-web.service runs it,
    against the test databases; yields a function starting it with extra environment."""
    from django.conf import settings as s
    web_url = with_database(db_url, s.DATABASES["default"]["NAME"])
    procs = []

    def start(**extra):
        sock = str(tmp_path / f"g{len(procs)}.sock")
        env = job_env(db_url, BILLING_WEB_DATABASE_URL=web_url, **extra)
        p = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
                              "--bind", f"unix:{sock}", "--workers", "2"],
                             cwd=str(ROOT / "webapp"), env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        procs.append(p)
        for _ in range(300):
            if os.path.exists(sock):
                try:
                    _Browser(sock).request("GET", "/healthz")
                    return _Browser(sock)
                except OSError:
                    pass
            if p.poll() is not None:
                raise AssertionError(p.stderr.read().decode())
            time.sleep(0.1)
        raise AssertionError("gunicorn did not start")
    yield start
    for p in procs:
        p.terminate()
        p.wait(timeout=30)


def _nginx_xff(client_header, remote_addr):
    """What nginx's `$proxy_add_x_forwarded_for` sends: the client's header, then its address."""
    return f"{client_header}, {remote_addr}" if client_header else remote_addr


@pytest.mark.django_db(transaction=True, databases=["default", "billing"])
def test_logins_are_throttled_under_gunicorn_behind_nginx(gunicorn, django_user_model):
    django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    limit = settings.AXES_FAILURE_LIMIT
    b = gunicorn(BILLING_TRUSTED_PROXIES="1")
    # the attacker at 203.0.113.7 forges a new left-most X-Forwarded-For entry every time
    for i in range(limit - 1):
        status = b.login("clerk", "wrong", _nginx_xff(f"10.0.0.{i}", "203.0.113.7"))
        assert status == 200                                    # the form again
    assert b.login("clerk", "wrong", _nginx_xff("10.0.0.99", "203.0.113.7")) == 429
    assert b.login("clerk", PASSWORD, _nginx_xff("10.9.9.9", "203.0.113.7")) == 429
    from axes.models import AccessAttempt
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    # another client address is not locked out by this one's failures
    other = gunicorn(BILLING_TRUSTED_PROXIES="1")
    assert other.login("clerk", PASSWORD, _nginx_xff(None, "198.51.100.1")) == 302


@pytest.mark.django_db(transaction=True, databases=["default", "billing"])
def test_without_a_trusted_proxy_count_gunicorn_locks_by_user_name(gunicorn, django_user_model):
    """No BILLING_TRUSTED_PROXIES: REMOTE_ADDR is empty on a unix socket and the header is not
    believed at all, so failures count per user name (never "every attempt is the first")."""
    django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    b = gunicorn()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert b.login("clerk", "wrong", f"10.0.0.{i}") == 200
    assert b.login("clerk", "wrong", "10.0.0.99") == 429
    assert b.login("clerk", PASSWORD, "10.9.9.9") == 429
    from axes.models import AccessAttempt
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [None]


def test_client_ip_takes_the_trusted_proxys_entry(settings, rf):
    from config.clientip import client_ip
    settings.BILLING_TRUSTED_PROXIES = 1
    req = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2, 203.0.113.7", REMOTE_ADDR="")
    assert client_ip(req) == "203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="")) is None
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, not-an-ip")) is None
    settings.BILLING_TRUSTED_PROXIES = 2
    assert client_ip(req) == "2.2.2.2"
    settings.BILLING_TRUSTED_PROXIES = 0
    assert client_ip(req) is None
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1", REMOTE_ADDR="127.0.0.1")) == \
        "127.0.0.1"


def test_a_500_is_logged_with_its_traceback_and_request_id(client, django_user_model,
                                                           monkeypatch):
    """DEBUG off: an unhandled error leaves its traceback in the log (stderr, or the file of
    DJANGO_LOG_FILE), on a line with the request id that the 500 response carries."""
    import io
    import logging

    import billing.views.customers
    assert settings.DEBUG is False
    user = django_user_model.objects.create_user("oops", password="pw-12345678", is_staff=True)
    user.groups.add(__import__("django.contrib.auth.models", fromlist=["Group"])
                    .Group.objects.get_or_create(name="clerk")[0])
    client.force_login(user)

    def boom(**kwargs):
        raise RuntimeError("kaboom-for-the-log")
    monkeypatch.setattr(billing.views.customers.selectors, "search_customers", boom)
    handlers = logging.getLogger("django.request").handlers
    console = [h for h in handlers if isinstance(h, logging.StreamHandler)
               and not isinstance(h, logging.FileHandler)]
    assert console, "django.request logs to the console"
    buf = io.StringIO()
    old = console[0].setStream(buf)
    client.raise_request_exception = False
    try:
        r = client.get("/customers/?q=ada")
    finally:
        console[0].setStream(old)
    assert r.status_code == 500
    request_id = r["X-Request-ID"]
    log = buf.getvalue()
    assert f"req={request_id}" in log and "user=oops" in log and "level=ERROR" in log
    assert "Traceback (most recent call last)" in log and "kaboom-for-the-log" in log
