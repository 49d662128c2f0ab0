"""Rejecting a reading in the review queue with a reason the form refuses (reviewer's finding):
a 10,000-character reason came back as "a reason is needed to reject it" and the text was lost.
Now the page says what is wrong (at most 500 characters, the column's limit) next to the reason
as typed, with a Reject button for that reading; nothing is changed."""
import html

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def in_review(billing_db):
    make_tariff(billing_db, code="RES")
    make_metered_account(billing_db, tariff_code="RES", serial="SN-RJ-1", opened_on="2026-01-01")
    for day, value in (("2026-01-31", 100), ("2026-02-28", 900)):
        billing_db.call("record_reading", "SN-RJ-1", day, value, "field", "staff:test")
    return billing_db.value("SELECT reading_id FROM v_meter_reading WHERE status = 'review'")


def test_a_reason_over_the_limit_is_said_and_kept(staff_client, in_review, billing_db):
    url = reverse("billing:reading_reject", args=[in_review])
    snapshot = billing_db.snapshot()
    reason = "dial misread " + "x" * 9_987                  # 10,000 characters
    r = staff_client.post(url, {"reason": reason, "page": "2"})
    assert r.status_code == 200 and billing_db.snapshot() == snapshot
    page = html.unescape(r.content.decode())
    assert "a reason is needed" not in page
    assert r.context["reject_form"].errors["reason"] == [
        "At most 500 characters (this one has 10,000)."]
    assert f"Reading {in_review} (SN-RJ-1, 28 Feb 2026) was not rejected" in text(r)
    assert f">\n{reason}</textarea>" in page and 'maxlength="500"' in page      # kept, to fix
    assert f'<form method="post" action="{url}"' in page
    assert '<input type="hidden" name="page" value="2">' in page
    assert f'id="reading-{in_review}"' in page                 # the queue is below it
    # shortened and sent again: rejected, back to the queue's page
    r = staff_client.post(url, {"reason": "dial misread", "page": "2"})
    assert r.status_code == 302 and r.url == reverse("billing:review_queue") + "?page=2"
    assert billing_db.value("SELECT reject_reason FROM v_meter_reading WHERE reading_id = %s",
                            in_review) == "dial misread"


def test_no_reason_still_says_a_reason_is_needed(staff_client, in_review, billing_db):
    r = staff_client.post(reverse("billing:reading_reject", args=[in_review]), {"reason": "  "},
                          follow=True)
    assert f"Reading {in_review}: a reason is needed to reject it." in text(r)
    assert billing_db.value("SELECT status FROM v_meter_reading WHERE reading_id = %s",
                            in_review) == "review"
