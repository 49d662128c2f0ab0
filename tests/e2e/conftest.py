"""Browser tests in real headless Chromium (Debian's `chromium`, driven by Playwright for Python;
Playwright's own browser download is never used).

Reusable fixtures:
- the web layer's fixtures (tests/web/conftest.py: test databases, `billing_db`, `staff_user`)
- `live_server` (pytest-django): the app served on a free port against the test databases
  (tests using it need `django_db(transaction=True, databases=["default", "billing"])`)
- `browser` (session): one headless Chromium; `page`: a fresh context and page per test, with a
  10 s default timeout; `login_page(page, live_server, username, password, path)` logs in.
- `staff_login("clara", "clerk")`: makes a staff user in that role's group (password PASSWORD)
  and logs it into `page` through the staff login form.
- `screenshots(page, name)`: the page at 1280 and 390 px into var/screens/ for a person to look
  at, checking that it does not scroll sideways.
"""
import os
from pathlib import Path

import pytest

from web.conftest import billing_db, django_db_setup, staff_client, staff_user  # noqa: F401

PASSWORD = "Kilowatt-hours-2026"      # of every user the browser tests make, staff or customer
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
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


def make_staff(username, role):
    """A staff user (password PASSWORD) in the group of `role` (billing/roles.py). Made through
    get_user_model(), not the `django_user_model` fixture: that one requests `db`, which empties
    the billing schema (test_home_reports_browser loads its demo data once per module)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    user = get_user_model().objects.create_user(username=username, password=PASSWORD,
                                                is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def staff_login(page, live_server):
    """Logs a staff user into the browser: `staff_login(username, role)` makes the user
    (make_staff) and logs it in on `page` through the staff login form; returns the page."""
    def login(username, role):
        make_staff(username, role)
        return login_page(page, live_server, username, PASSWORD, path="/login/")
    return login


def screenshots(page, name, max_overflow=1, folder=SCREENS, widths=(1280, 390)):
    """Full-page screenshots of the page at each width into folder/NAME-WIDTH.png (looked at by
    people, not compared). With max_overflow (pixels) it asserts that the page scrolls sideways
    by no more than that; None: no check. The viewport is 1280 x 900 again afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        if max_overflow is not None:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= max_overflow, f"{name} at {width}px scrolls sideways by {overflow}px"
    page.set_viewport_size({"width": 1280, "height": 900})
