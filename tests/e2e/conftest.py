"""Browser tests in real headless Chromium (Debian's `chromium`, driven by Playwright for Python;
Playwright's own browser download is never used).

Reusable fixtures:
- the web layer's fixtures (tests/web/conftest.py: test databases, `billing_db`, `staff_user`)
- `live_server` (pytest-django): the app served on a free port against the test databases
  (tests using it need `django_db(transaction=True, databases=["default", "billing"])`)
- `browser` (session): one headless Chromium; `page`: a fresh context and page per test, with a
  10 s default timeout; `login_page(page, live_server, username, password, path)` logs in.
"""
import os

import pytest

from web.conftest import billing_db, django_db_setup, staff_client, staff_user  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM
    # calls from a thread with a running loop. The tests' own ORM calls are synchronous code
    # between browser steps (the server runs in its own thread), so the check is switched off.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def login_page(page, live_server, username, password, path="/my/login/"):
    """Logs in through the form at `path` (the portal's, or "/login/" for staff)."""
    page.goto(live_server.url + path)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page
