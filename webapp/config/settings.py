"""Settings of the billing staff web app, all from the environment.

BILLING_DATABASE_URL      the billing schema (default: the checkout's private server, as printed
                          by `bin/dbserver url`)
BILLING_WEB_DATABASE_URL  Django's own tables: auth, sessions, admin, contenttypes (default: the
                          same server, schema `billing_web`)
DJANGO_SECRET_KEY         default: generated once into var/secret_key
DJANGO_DEBUG              1/true/yes/on to turn debugging on (off by default)
DJANGO_ALLOWED_HOSTS      comma-separated (default: 127.0.0.1,localhost)
DJANGO_SECURE_COOKIES     1 behind HTTPS: session and CSRF cookies only over HTTPS (default off)
DJANGO_TIME_ZONE          default UTC; see USE_TZ below
DJANGO_LOG_LEVEL          level of the `billing` logger (default INFO)
DJANGO_LOG_FILE           also write the log (with 500 tracebacks) to this file (default: stderr only)
BILLING_DUE_DAYS          days from issue to due date of `manage.py run_billing` (default 14)
BILLING_LOCK_WAIT_TIMEOUT seconds the web's billing sessions wait for a row lock (default 10; the
                          batch jobs keep the server's own: see DATABASES below)
BILLING_TRUSTED_PROXIES   reverse proxies in front that append to X-Forwarded-For (default 0;
                          1 behind deploy/nginx under gunicorn): config/clientip.py
BILLING_READ_DATABASE_URL the batch jobs: where they read the billing views (the billing_report
                          account), since their own account (billing_batch) may only EXECUTE
                          procedures (sql-api.md, "Database accounts"). Unset: read from
                          BILLING_DATABASE_URL, as the web app (billing_app) and `make run` do.

Two database aliases (see docs/webapp.md): `default` holds Django's tables, `billing` is the
billing schema, reached only through its views and procedures; config.routers.BillingRouter sends
the billing app's unmanaged models there and never migrates them.
"""
import os
import secrets
from pathlib import Path

from config.dburl import CHECKOUT, database_settings, private_server_url, with_database
from config.routers import READ_ALIAS, REPORT_ALIAS

BASE_DIR = Path(__file__).resolve().parent.parent      # webapp/
VAR_DIR = CHECKOUT / "var"


def _flag(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _secret_key():
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("DJANGO_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in
                 os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "billing",
    "axes",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.hardening.SecurityHeadersMiddleware",   # CSP, Permissions-Policy
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.sessions.SessionRefreshMiddleware",    # the idle timeout (see SESSION_REFRESH_SECONDS)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.logcontext.RequestLogMiddleware",   # user and request id on every log line
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.errorpages.MethodNotAllowedPageMiddleware",   # an empty 405: the styled error page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",        # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "billing.context_processors.nav",
    ]},
}]

# --- databases --------------------------------------------------------------------------------
BILLING_DATABASE_URL = os.environ.get("BILLING_DATABASE_URL") or private_server_url()
BILLING_WEB_DATABASE_URL = (os.environ.get("BILLING_WEB_DATABASE_URL")
                            or with_database(BILLING_DATABASE_URL, "billing_web"))
_conn_max_age = int(os.environ.get("DJANGO_CONN_MAX_AGE", "0"))
# A row lock held by another session (a payment, a refund, a billing run's chunk on the same
# account) is waited for at most BILLING_LOCK_WAIT_TIMEOUT seconds by the web's sessions, not the
# server's 50: services tries a call MAX_ATTEMPTS (3) times, so a clerk hears "the account is
# busy" (errors.Busy) after about 30 s instead of a 500 after 150 s. The batch work (manage.py
# run_billing and the other job commands, the billing run a page starts in a thread) sets its
# sessions back to the server's wait (services.use_server_lock_wait): it retries its own chunks.
BILLING_LOCK_WAIT_TIMEOUT = int(os.environ.get("BILLING_LOCK_WAIT_TIMEOUT", "10"))
DATABASES = {
    "default": database_settings(BILLING_WEB_DATABASE_URL),
    # Procedures are called in autocommit (Django's default; never ATOMIC_REQUESTS, never inside
    # transaction.atomic): each procedure is its own transaction and commits it.
    "billing": database_settings(BILLING_DATABASE_URL, isolation_level="repeatable read",
                                 lock_wait_timeout=BILLING_LOCK_WAIT_TIMEOUT),
}
# Optional: the report pages (models with report_view = True) read from a server of their own,
# e.g. the cluster's read port (docs/cluster.md). Unset: they read from `billing`.
BILLING_REPORT_DATABASE_URL = os.environ.get("BILLING_REPORT_DATABASE_URL")
if BILLING_REPORT_DATABASE_URL:
    DATABASES[REPORT_ALIAS] = database_settings(BILLING_REPORT_DATABASE_URL,
                                                isolation_level="repeatable read")
# The batch jobs' reads of views (routers.BillingRouter, billing.management.jobs.read): their
# account may not read them. Unset (the web app): every read goes to `billing`.
BILLING_READ_DATABASE_URL = os.environ.get("BILLING_READ_DATABASE_URL")
if BILLING_READ_DATABASE_URL:
    DATABASES[READ_ALIAS] = database_settings(BILLING_READ_DATABASE_URL,
                                              isolation_level="repeatable read")
for _db in DATABASES.values():
    _db["CONN_MAX_AGE"] = _conn_max_age
    _db["CONN_HEALTH_CHECKS"] = _conn_max_age > 0
DATABASE_ROUTERS = ["config.routers.BillingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "billing:home"
LOGOUT_REDIRECT_URL = "logged_out"     # "You are logged out", with a link to log in
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("DJANGO_SECURE_COOKIES")
SESSION_COOKIE_HTTPONLY = True
# Login rate limit (django-axes, staff and customer logins alike): after AXES_FAILURE_LIMIT
# failures for one user name from one IP address (or for the user name, when the address is not
# known), that pair is locked out for AXES_COOLOFF_TIME
# (a 429 page); a successful login resets the count. See docs/portal.md.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25                 # hours
# The client's address: config/clientip.py (X-Forwarded-For from BILLING_TRUSTED_PROXIES trusted
# proxies, never the client's own entries); no known address: lock by user name alone.
BILLING_TRUSTED_PROXIES = int(os.environ.get("BILLING_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "config.clientip.client_ip"
AXES_LOCKOUT_PARAMETERS = "config.clientip.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_VERBOSE = False
# E-mail (password reset links): the console in development; set DJANGO_EMAIL_BACKEND (and
# Django's EMAIL_HOST etc.) for real use. Tests use Django's locmem backend.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND",
                               "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "billing@localhost")
# SMTP for the customer notices (manage.py send_notices, docs/notices.md), with
# DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DJANGO_EMAIL_USE_TLS", "") == "1"
EMAIL_USE_SSL = os.environ.get("DJANGO_EMAIL_USE_SSL", "") == "1"
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "30"))
NOTICES_FROM_EMAIL = os.environ.get("BILLING_NOTICES_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NOTICES_PORTAL_URL = os.environ.get("BILLING_PORTAL_URL", "http://localhost:8000")
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600   # one-time set-password / reset links: 3 days
X_FRAME_OPTIONS = "DENY"

# --- hardening (docs/operations.md) ----------------------------------------------------------
# Behind HTTPS (DJANGO_SECURE_COOKIES=1): secure cookies, redirect to https, HSTS, and trust
# nginx's X-Forwarded-Proto. `manage.py check --deploy` passes with DJANGO_DEBUG off, a real
# DJANGO_SECRET_KEY and DJANGO_SECURE_COOKIES=1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if SESSION_COOKIE_SECURE:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _flag("DJANGO_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Sessions end after DJANGO_SESSION_IDLE_SECONDS (default 30 min) without a request.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_SECONDS", "1800"))
# An idle timeout without a session write per request: the session is saved again when its last
# save is a minute old or more (config/sessions.py), so it ends 29 to 30 minutes after the last one.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
CSRF_COOKIE_HTTPONLY = True

# --- i18n, time -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
# dates typed into forms: ISO days only (config/formats/en/formats.py: 01/12/2026 was 12 January)
FORMAT_MODULE_PATH = ["config.formats"]
# The billing schema stores naive DATETIMEs in the server's time (NOW() of the session) and the
# contract's "today" is the session's CURRENT_DATE; the pages show them as the database has them.
USE_TZ = False

# --- static files: served by WhiteNoise straight from the apps (no collectstatic in dev) -------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- the utility on documents (bills, receipts, e-mails): demo values, set them for real use ----
# BILLING_CURRENCY: the symbol or code put before every amount by billing.formatting.money.
BILLING_CURRENCY = os.environ.get("BILLING_CURRENCY", "€")
BILLING_UTILITY = {
    "name": os.environ.get("BILLING_UTILITY_NAME", "Millbrook Electric"),
    "address": os.environ.get("BILLING_UTILITY_ADDRESS", "12 Mill Lane, Millbrook MB1 4EL"),
    "phone": os.environ.get("BILLING_UTILITY_PHONE", "0800 555 0142"),
    "web": os.environ.get("BILLING_UTILITY_WEB", "www.millbrook-electric.example"),
    "email": os.environ.get("BILLING_UTILITY_EMAIL", "billing@millbrook-electric.example"),
    "iban": os.environ.get("BILLING_UTILITY_IBAN", "DE00 1234 5678 9012 3456 78"),
    # an SVG or PNG file, inlined into the bill and the receipt (page, print and PDF)
    "logo": os.environ.get("BILLING_UTILITY_LOGO",
                           str(BASE_DIR / "portal" / "static" / "portal" / "logo.svg")),
}

# --- batch jobs (manage.py run_billing; docs/operations.md) ------------------------------------
BILLING_DUE_DAYS = int(os.environ.get("BILLING_DUE_DAYS", "14"))

# --- logging ----------------------------------------------------------------------------------
# Errors: django.request logs every 500 (and 4xx warnings) with its traceback; with DEBUG off
# Django's own logging sends it nowhere, so it goes to the console (stderr: gunicorn and systemd's
# journal keep it) and, with DJANGO_LOG_FILE, to that file too, with the request id that the
# response carries as X-Request-ID (config/logcontext.py).
_log_handlers = ["console"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "config.logcontext.RequestContextFilter"}},
    "formatters": {"plain": {"format": "ts=%(asctime)s level=%(levelname)s logger=%(name)s "
                                       "user=%(user)s req=%(request_id)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["request"]}},
    "loggers": {"billing": {"handlers": _log_handlers,
                            "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
                            "propagate": False},
                "django.request": {"handlers": _log_handlers, "level": "ERROR",
                                   "propagate": False}},
}
if os.environ.get("DJANGO_LOG_FILE"):
    LOGGING["handlers"]["file"] = {"class": "logging.handlers.WatchedFileHandler",
                                   "filename": os.environ["DJANGO_LOG_FILE"],
                                   "formatter": "plain", "filters": ["request"]}
    _log_handlers.append("file")
