"""Enter a reading: the result (consumption, accepted or review) or the exact reason refused."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from billing import formatting
from helpers.factories import make_metered_account
from helpers.pages import text, visible_text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
URL = reverse("billing:reading_create")


@pytest.fixture
def meter(billing_db):
    """A 5-digit meter installed 2026-01-01 at 0, with accepted readings 100 (01-31) and 190
    (02-28): 190 kWh over 58 days of history."""
    acc = make_metered_account(billing_db, name="Ada Lovelace", serial="SN-1",
                               opened_on="2026-01-01", dial_digits=5, initial_read=0)
    billing_db.call("record_reading", "SN-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("record_reading", "SN-1", "2026-02-28", 190, "field", "staff:test")
    return acc


def post(client, **data):
    return client.post(URL, {"serial_no": "SN-1", "read_on": "2026-03-31", "value": "250.50",
                             "source": "field", **data})


def test_an_accepted_reading_shows_its_consumption(staff_client, billing_db, meter):
    r = post(staff_client, serial_no=" SN-1 ")
    row = billing_db.row("SELECT reading_id, status, consumption_kwh, recorded_by, source "
                         "FROM meter_reading WHERE read_on = '2026-03-31'")
    assert (row["status"], str(row["consumption_kwh"]), row["recorded_by"], row["source"]) == (
        "accepted", "60.5000", "staff:clara", "field")
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:reading_detail", args=[row["reading_id"]])
    page = staff_client.get(r["Location"])
    shown = text(page)
    assert ("Reading recorded: 60.5 kWh since the previous reading, status accepted."
            in shown)
    assert "Status: accepted" in shown
    assert "Consumption since the previous reading 60.5 kWh" in shown
    assert f"Customer {meter.customer_no} Ada Lovelace" in shown


def test_unusually_high_use_shows_review(staff_client, billing_db, meter):
    # 1810 kWh in 31 days against 190 kWh in 58 days: more than 3 times the average
    r = post(staff_client, value="2000", source="customer")
    row = billing_db.row("SELECT reading_id, status, consumption_kwh FROM meter_reading "
                         "WHERE read_on = '2026-03-31'")
    assert (row["status"], str(row["consumption_kwh"])) == ("review", "1810.0000")
    shown = text(staff_client.get(r["Location"]))
    assert ("Reading recorded: 1,810 kWh since the previous reading, status review. "
            "It needs review" in shown)
    assert "Status: review" in shown and "waits for review" in shown


def refused(client, billing_db, **data):
    before = billing_db.snapshot()
    r = post(client, **data)
    assert r.status_code == 200
    assert billing_db.snapshot() == before
    return r


def test_a_reading_below_the_previous_one_is_refused_with_the_reason(staff_client, billing_db,
                                                                     meter):
    r = refused(staff_client, billing_db, value="150")
    error = r.context["error"]
    assert (error.errno, error.code) == (45010, "READING_BACKWARDS")
    assert error.message.startswith("value 150.00 is below the latest reading 190.00")
    # one sentence, on the field, with the figures the server gave (no parameter name, no
    # server number format), shown once
    sentence = ("The reading, 150, is below the meter's latest reading, 190, and is not a "
                "rollover.")
    assert r.context["form"].errors["value"] == [sentence]
    shown = re.sub(r"\s+", " ", visible_text(r.content.decode()))
    assert shown.count(sentence) == 1 and error.message not in shown
    assert "Not saved Register value (kWh on the dial) : see the message next to the field." \
        in shown
    assert 'value="150"' in r.content.decode()          # the input is kept


def test_a_reading_dated_in_the_future_is_refused(staff_client, billing_db, meter):
    tomorrow = billing_db.value("SELECT CURRENT_DATE + INTERVAL 1 DAY")
    r = refused(staff_client, billing_db, read_on=tomorrow.isoformat())
    error = r.context["error"]
    assert (error.errno, error.code) == (45011, "READING_OUT_OF_RANGE")
    assert error.message.startswith(f"read_on {tomorrow} is in the future")
    today = formatting.day(tomorrow - timedelta(days=1))
    assert r.context["form"].errors["read_on"] == [
        f"The reading date cannot be after today ({today})."]


def test_a_reading_at_the_dial_capacity_is_refused(staff_client, billing_db, meter):
    r = refused(staff_client, billing_db, value="100000")
    assert r.context["error"].code == "READING_OUT_OF_RANGE"
    assert "capacity" in r.context["form"].errors["value"][0]


def test_an_unknown_serial_is_refused_on_the_serial_field_once(staff_client, billing_db, meter):
    """It was "Not saved: Not found." above the form and "Not found. no installed meter with
    serial_no NOPE-9" under it: twice, at the top, not on the serial field."""
    r = refused(staff_client, billing_db, serial_no="NOPE-9")
    error = r.context["error"]
    assert (error.errno, error.code) == (45001, "NOT_FOUND")
    assert r.context["form"].non_field_errors() == []
    sentence = "No meter with serial number NOPE-9 is installed on an account."
    assert r.context["form"].errors["serial_no"] == [sentence]
    shown = visible_text(r.content.decode())
    assert shown.count(sentence) == 1 and "Not found" not in shown and "serial_no" not in shown


def test_the_form_checks_the_shape_of_the_input_without_a_call(staff_client, billing_db, meter):
    r = refused(staff_client, billing_db, value="12.345", read_on="31/03/2026")
    assert "error" not in r.context
    assert set(r.context["form"].errors) == {"value", "read_on"}


def test_the_serial_can_be_prefilled_from_a_link(staff_client, billing_db, meter):
    r = staff_client.get(URL, {"serial_no": "SN-1"})
    assert r.status_code == 200
    assert 'value="SN-1"' in r.content.decode()
