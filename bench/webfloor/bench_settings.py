"""Settings of the web benchmark: the app's own settings, with a URLconf that adds two floor
pages (bench only; the app itself has no such views). The environment (set by bench/web.py)
points BILLING_DATABASE_URL / BILLING_WEB_DATABASE_URL at the bench server."""
from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench_urls"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
