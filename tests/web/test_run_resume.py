"""A billing run that nobody works any more (the process that started it stopped) is continued
from its page: "Continue this run" works its chunks left (work_billing_run) in the background;
nothing is billed twice."""
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

# the web app's sessions run on the real clock: a run of the last full month, issued today
# (`real`, read when a test runs)


@pytest.fixture
def stalled_run(billing_db):
    """A run started (its chunks stored) that no session works: as after a crash."""
    make_tariff(billing_db, code="RES")
    for i in range(5):
        acc = make_metered_account(billing_db, tariff_code="RES", opened_on=real.last)
        billing_db.call("record_reading", acc.serial, real.last_end - timedelta(days=2), 100 + i,
                        "field", "staff:test")
    billing_db.execute("SET @billing_chunk_size = 2")
    run_id = billing_db.call("start_billing_run", real.last, real.last_end, real.today, 14,
                             "staff:test")["run_id"]
    billing_db.execute("SET @billing_chunk_size = NULL")
    return run_id


def test_a_stalled_run_is_continued_from_its_page(billing_admin_client, billing_db, stalled_run):
    page = billing_admin_client.get(reverse("billing:run_detail", args=[stalled_run]))
    assert "Continue this run" in text(page)
    r = billing_admin_client.post(reverse("billing:run_resume", args=[stalled_run]))
    assert r.status_code == 302 and r["Location"].startswith("/billing/jobs/")
    deadline = time.monotonic() + 30
    while True:
        data = billing_admin_client.get(r["Location"] + "status.json").json()
        if data["state"] != "running":
            break
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert data["state"] == "completed" and data["run_id"] == stalled_run
    assert data["run_url"] == reverse("billing:run_detail", args=[stalled_run])
    assert billing_db.row("SELECT status, bills_created FROM billing_run WHERE run_id = %s",
                          stalled_run) == {"status": "completed", "bills_created": 5}
    done = billing_admin_client.get(reverse("billing:run_detail", args=[stalled_run]))
    assert "Continue this run" not in text(done)
    # a completed run has nothing to continue
    again = billing_admin_client.post(reverse("billing:run_resume", args=[stalled_run]),
                                      follow=True)
    assert f"Billing run {stalled_run} is completed: nothing to continue." in text(again)
    assert billing_db.value("SELECT COUNT(*) FROM bill") == 5


def test_only_billing_admins_continue_a_run(manager_client, staff_client, stalled_run):
    for c in (manager_client, staff_client):
        page = c.get(reverse("billing:run_detail", args=[stalled_run]))
        assert page.status_code == 200 and "Continue this run" not in text(page)
        assert c.post(reverse("billing:run_resume", args=[stalled_run])).status_code == 403
