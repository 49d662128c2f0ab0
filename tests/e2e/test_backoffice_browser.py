"""The back office in headless Chromium: a clerk enters a reading and uploads a CSV of readings;
a billing admin runs billing to completion and watches its progress bar."""
import datetime as dt

import pytest
from django.contrib.auth.models import Group

from e2e.conftest import login_page
from factories import make_metered_account, make_tariff

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
PASSWORD = "Kilowatt-hours-2026"


def staff(django_user_model, username, role):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD,
                                                 is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


# The rules bill only periods that are over, issued today or later, and the web app runs on the
# real clock: the meters are read at the end of the last full month, billed today.
TODAY = dt.date.today()
LAST_END = TODAY.replace(day=1) - dt.timedelta(days=1)
LAST = LAST_END.replace(day=1)


@pytest.fixture
def meters(billing_db):
    make_tariff(billing_db, code="RES")
    return [make_metered_account(billing_db, tariff_code="RES", serial=f"SN-E-{i}",
                                 opened_on=LAST) for i in (1, 2, 3)]


def test_a_clerk_enters_a_reading_and_uploads_a_csv(page, live_server, meters, billing_db,
                                                    django_user_model, tmp_path):
    staff(django_user_model, "clerk1", "clerk")
    login_page(page, live_server, "clerk1", PASSWORD, path="/login/")
    page.click("nav >> text=Enter reading")
    page.fill("#id_serial_no", "SN-E-1")
    page.fill("#id_read_on", str(LAST_END))
    page.fill("#id_value", "120")
    page.select_option("#id_source", "field")
    page.click("main button[type=submit]")
    assert "Reading recorded: 120.0000 kWh" in page.locator(".messages").inner_text()

    csv_file = tmp_path / "readings.csv"
    csv_file.write_text(f"serial,date,value,source\nSN-E-2,{LAST_END},80,field\n"
                        f"SN-E-9,{LAST_END},10,field\nSN-E-3,{LAST_END},oops,field\n"
                        f"SN-E-3,{LAST_END},90,smart\n")
    page.goto(live_server.url + "/readings/upload/")
    page.set_input_files("#id_file", str(csv_file))
    page.click("button:has-text('Upload and record')")
    assert page.locator(".upload-summary").inner_text() == "2 accepted, 0 for review, 2 refused."
    assert page.locator("tr.outcome-refused").count() == 2
    assert "NOT_FOUND" in page.locator("tr.outcome-refused").first.inner_text()
    assert billing_db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'actual'") == 3


def test_a_billing_admin_runs_billing_to_completion(page, live_server, meters, billing_db,
                                                    django_user_model):
    for i, value in ((1, 100), (2, 50), (3, 75)):
        billing_db.call("record_reading", f"SN-E-{i}", LAST_END, value, "field", "staff:t")
    staff(django_user_model, "badmin", "billing_admin")
    login_page(page, live_server, "badmin", PASSWORD, path="/login/")
    page.click("nav >> text=Billing runs")
    page.fill("#id_period_start", str(LAST))
    page.fill("#id_period_end", str(LAST_END))
    page.fill("#id_issue_date", str(TODAY))
    page.fill("#id_due_days", "14")
    page.click("button:has-text('Start run')")
    page.wait_for_selector("progress")
    page.wait_for_selector(".progress-done-link:not([hidden])")
    assert page.locator(".progress-state").inner_text() == "completed"
    assert page.locator(".progress-text").inner_text().startswith("3 of 3 accounts")
    bar = page.locator("progress")
    assert bar.evaluate("b => [b.value, b.max]") == [3, 3]
    page.click("text=See the run's results")
    assert page.locator("h1").inner_text().startswith("Billing run")
    assert billing_db.value("SELECT COUNT(*) FROM bill") == 3
