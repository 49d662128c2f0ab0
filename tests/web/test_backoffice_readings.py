"""Back office, readings: bulk CSV upload (one record_reading per row, never stopping at a bad
row) and the review queue (approve, reject with a reason)."""
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing import formatting

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text, visible_text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def meters(billing_db):
    make_tariff(billing_db, code="RES")
    one = make_metered_account(billing_db, tariff_code="RES", serial="SN-R-1",
                               opened_on="2026-01-01")
    two = make_metered_account(billing_db, tariff_code="RES", serial="SN-R-2",
                               opened_on="2026-01-01")
    return one, two


CSV = """serial,date,value,source
SN-R-1,2026-01-31,100,field
SN-R-1,2026-02-28,500,field
SN-NOPE,2026-02-28,5,field
SN-R-1,2026-02-20,600,customer
bad,line
SN-R-1,2026-13-01,5,field
SN-R-1,2026-03-10,5.123,field
SN-R-1,2026-03-10,7,meter

SN-R-2,2026-01-31,50,SMART
"""


def check(client, content, name="readings.csv"):
    """Step 1: the file is checked (preview_readings), nothing recorded."""
    return client.post(reverse("billing:reading_upload"),
                       {"file": SimpleUploadedFile(name, content.encode(), "text/csv")})


def upload(client, content, name="readings.csv"):
    """Step 1 then step 2 ("Record these readings"): the response of the recording."""
    r = check(client, content, name)
    assert r.status_code == 200 and r.context["preview"] is True
    return client.post(reverse("billing:reading_upload"),
                       {"action": "record", "csv_text": r.context["csv_text"], "file_name": name})


def outcomes(response):
    html = response.content.decode()
    rows = re.findall(r'<tr class="outcome-(\w+)"><td[^>]*>(\d+)</td>', html)
    return [(int(line), outcome) for outcome, line in rows]


def test_every_row_is_reported_and_bad_rows_do_not_stop_the_rest(staff_client, meters,
                                                                 billing_db):
    r = upload(staff_client, CSV)
    assert r.status_code == 200
    assert outcomes(r) == [(2, "accepted"), (3, "review"), (4, "refused"), (5, "refused"),
                           (6, "refused"), (7, "refused"), (8, "refused"), (9, "refused"),
                           (11, "accepted")]
    page = text(r)
    assert "2 accepted, 1 for review, 6 refused" in page
    # what happened to each row in words, the error numbers and codes only in the log
    assert "No meter with serial number SN-NOPE is installed on an account." in page
    assert "The reading date must be after the meter's latest reading (28 Feb 2026)." in \
        visible_text(r.content.decode())
    assert "NOT_FOUND" not in page and "READING_OUT_OF_RANGE" not in page
    assert "serial_no" not in page and "read_on 2026" not in page
    assert "Expected 4 fields (serial, date, value, source), found 2." in page
    # a malformed row's reason names the column as the file and the page do (serial, date,
    # value, source), never the form's field
    assert ("Date: \u201c2026-13-01\u201d is not a date: write it as YYYY-MM-DD (e.g. "
            "2026-02-28).") in page
    assert "Value: \u201c5.123\u201d has more than two decimals." in page
    assert "Source: \u201cmeter\u201d is not a source: write field, customer or smart." in page
    assert "read_on" not in page and "value:" not in page and "source: Select" not in page
    rows = billing_db.rows("SELECT serial_no, read_on, value, status, recorded_by "
                           "FROM v_meter_reading WHERE kind = 'actual' ORDER BY reading_id")
    assert [(r["serial_no"], str(r["read_on"]), r["status"]) for r in rows] == [
        ("SN-R-1", "2026-01-31", "accepted"), ("SN-R-1", "2026-02-28", "review"),
        ("SN-R-2", "2026-01-31", "accepted")]
    assert {r["recorded_by"] for r in rows} == {"staff:clara"}
    assert "100 kWh" in page and "400 kWh" in page and "100.0000" not in page


def test_the_check_shows_what_recording_would_do_and_records_nothing(staff_client, meters,
                                                                     billing_db):
    before = billing_db.snapshot()
    r = check(staff_client, CSV)
    assert billing_db.snapshot() == before
    assert outcomes(r) == [(2, "accepted"), (3, "review"), (4, "refused"), (5, "refused"),
                           (6, "refused"), (7, "refused"), (8, "refused"), (9, "refused"),
                           (11, "accepted")]
    page = text(r)
    assert "Recording it would give: 2 accepted, 1 for review, 6 refused." in page
    assert "Record these 3 readings" in page
    assert "The reading date must be after the meter's latest reading (28 Feb 2026)." in \
        visible_text(r.content.decode())                    # row 5: before row 3's date
    # recording then gives exactly what the check said
    recorded = staff_client.post(reverse("billing:reading_upload"), {
        "action": "record", "csv_text": r.context["csv_text"], "file_name": "readings.csv"})
    assert outcomes(recorded) == outcomes(r)


def test_the_template_the_refused_lines_and_the_history(staff_client, meters, billing_db):
    t = staff_client.get(reverse("billing:reading_upload_template"))
    assert t["Content-Type"].startswith("text/csv")
    assert t.content.decode().splitlines()[0] == "serial,date,value,source"
    assert staff_client.get(reverse("billing:reading_upload_refused")).status_code == 404
    upload(staff_client, CSV, name="march.csv")
    refused = staff_client.get(reverse("billing:reading_upload_refused")).content.decode()
    lines = refused.splitlines()
    assert lines[0] == "serial,date,value,source" and len(lines) == 7
    assert "SN-NOPE,2026-02-28,5,field" in lines and "bad,line,," in lines
    page = text(staff_client.get(reverse("billing:reading_upload")))
    assert "Recent uploads" in page and "march.csv 2 1 6" in page
    event = billing_db.row("SELECT actor, new_values FROM v_audit_log "
                           "WHERE action = 'web_readings_uploaded'")
    assert event["actor"] == "staff:clara" and '"refused": 6' in event["new_values"]


def test_an_upload_that_is_not_text_is_refused_as_a_whole(staff_client, meters, billing_db):
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:reading_upload"),
                          {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x81\x8d\x00",
                                                      "text/csv")})
    # cp1252 cannot decode 0x81/0x8d: the file is refused before any call
    assert r.status_code == 200 and "not a text (CSV) file" in r.content.decode()
    assert billing_db.snapshot() == snapshot


@pytest.mark.parametrize("raw", [
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",          # an .xlsx (a zip)
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\x00>>",             # a PDF
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",                        # an image
    b"SN-R-1,2026-03-31,600,field\n\x00\x00\x00\x00",                  # text, then zeros
])
def test_a_binary_file_is_refused_as_a_whole_not_line_by_line(staff_client, meters, billing_db,
                                                               raw):
    """cp1252 decodes nearly any bytes: a binary file was read as text and each of its lines
    refused on its own (or a first line recorded). Now a control character no CSV holds refuses
    the file before any call."""
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:reading_upload"),
                          {"file": SimpleUploadedFile("x.csv", raw, "text/csv")})
    html = r.content.decode()
    assert r.status_code == 200 and "not a text (CSV) file" in html
    assert "must be saved as CSV" in html
    assert billing_db.snapshot() == snapshot


def test_a_file_with_carriage_returns_alone_reads_as_lines(staff_client, meters, billing_db):
    """Excel for Mac's "CSV (Macintosh)" ends lines with a carriage return alone: read as lines
    (it was a server error)."""
    r = check(staff_client, "serial,date,value,source\rSN-R-1,2026-01-31,100,field\r"
                            "SN-R-2,2026-01-31,50,field\r")
    assert r.status_code == 200 and outcomes(r) == [(2, "accepted"), (3, "accepted")]


@pytest.mark.parametrize("content", [
    "SN-R-1," + "2" * 200_000 + ",1,field\n",            # over the csv module's field limit
    'SN-R-1,2026-01-31,100,"field\nSN-R-1,2026-02-28,5,field\n',   # an unclosed quote
], ids=["over-the-field-limit", "unclosed-quote"])
def test_a_file_that_cannot_be_read_as_csv_is_refused_as_a_whole(staff_client, meters,
                                                                 billing_db, content):
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:reading_upload"),
                          {"file": SimpleUploadedFile("x.csv", content.encode(), "text/csv")})
    html = r.content.decode()
    if "cannot be read as CSV" in html:
        assert r.status_code == 200 and "Line 1 of the file cannot be read as CSV" in html
        assert "The check found" not in html
    else:                                   # the csv module reads it: refused row by row
        assert r.status_code == 200 and r.context["preview"] is True
    assert billing_db.snapshot() == snapshot
    # the second step with a text that did not come from the first: refused, nothing recorded
    r = staff_client.post(reverse("billing:reading_upload"),
                          {"action": "record", "csv_text": "SN-R-1," + "2" * 200_000 + ",1,field",
                           "file_name": "x.csv"}, follow=True)
    assert r.status_code == 200 and "cannot be read as CSV" in r.content.decode()
    assert "Nothing was recorded." in r.content.decode()
    assert billing_db.snapshot() == snapshot


def test_an_empty_file_is_a_form_error(staff_client, meters, billing_db):
    r = staff_client.post(reverse("billing:reading_upload"),
                          {"file": SimpleUploadedFile("x.csv", b"", "text/csv")})
    assert r.status_code == 200 and "The submitted file is empty." in r.content.decode()


@pytest.fixture
def queue(meters, billing_db):
    for serial, day, value in [("SN-R-1", "2026-01-31", 100), ("SN-R-1", "2026-02-28", 500),
                               ("SN-R-2", "2026-01-31", 100), ("SN-R-2", "2026-02-28", 900)]:
        billing_db.call("record_reading", serial, day, value, "field", "staff:test")
    ids = [r["reading_id"] for r in billing_db.rows(
        "SELECT reading_id FROM v_meter_reading WHERE status = 'review' ORDER BY reading_id")]
    assert len(ids) == 2
    return ids


def test_the_review_queue_lists_readings_in_review(staff_client, queue):
    r = staff_client.get(reverse("billing:review_queue"))
    assert r.status_code == 200
    html = r.content.decode()
    for rid in queue:
        assert f'id="reading-{rid}"' in html
        assert reverse("billing:reading_approve", args=[rid]) in html
    assert "2 readings" in text(r)


def test_the_queue_says_when_a_reading_is_passed_over_and_cannot_be_rejected(staff_client, queue,
                                                                             billing_db):
    # SN-R-1: 500 on 02-28 in review; a later reading follows it (in review too), then one is
    # accepted: the first is passed over and, not the latest, cannot be rejected
    later = billing_db.call("record_reading", "SN-R-1", "2026-03-10", 900, "field", "staff:test")
    assert later["status"] == "review"
    last = billing_db.call("record_reading", "SN-R-1", "2026-03-31", 910, "field", "staff:test")
    assert last["status"] == "accepted"
    html = staff_client.get(reverse("billing:review_queue")).content.decode()

    def row(rid):
        part = html[html.index(f'id="reading-{rid}"'):]
        return part[:part.index("</tr>")]
    first, second = row(queue[0]), row(later["reading_id"])
    for r in (first, second):
        assert "A later reading (31 Mar 2026) is accepted: a bill to that day or later passes this one over" in r
        assert "only a meter's latest reading can be rejected" in r and "<textarea" not in r
    assert reverse("billing:reading_approve", args=[queue[0]]) in first       # approving still can
    other = row(queue[1])                                    # SN-R-2: nothing after it
    assert "passes this one over" not in other and "<textarea" in other


def test_a_manager_sees_the_queue_without_the_buttons(manager_client, queue, billing_db):
    r = manager_client.get(reverse("billing:review_queue"))
    html = r.content.decode()
    assert r.status_code == 200 and f'id="reading-{queue[0]}"' in html
    assert reverse("billing:reading_approve", args=[queue[0]]) not in html


def test_approve_and_reject_with_a_reason(staff_client, queue, billing_db):
    first, second = queue
    r = staff_client.post(reverse("billing:reading_approve", args=[first]), follow=True)
    assert f"Reading {first} accepted." in text(r)
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:reading_reject", args=[second]), {"reason": " "},
                          follow=True)
    assert "a reason is needed" in text(r)
    assert billing_db.snapshot() == snapshot
    r = staff_client.post(reverse("billing:reading_reject", args=[second]),
                          {"reason": "dial misread"}, follow=True)
    assert f"Reading {second} rejected." in text(r)
    got = {r["reading_id"]: r for r in billing_db.rows(
        "SELECT reading_id, status, reviewed_by, reject_reason FROM v_meter_reading "
        "WHERE reading_id IN (%s, %s)", first, second)}
    assert got[first]["status"] == "accepted" and got[first]["reviewed_by"] == "staff:clara"
    assert got[second]["status"] == "rejected" and got[second]["reject_reason"] == "dial misread"
    r = staff_client.post(reverse("billing:reading_approve", args=[first]), follow=True)
    assert (f"Reading {first} was not changed: This reading is accepted already, not in "
            "review.") in text(r)
    assert "CONFLICT" not in text(r)
    assert "The queue is empty." in text(staff_client.get(reverse("billing:review_queue")))


def test_a_clerk_cannot_approve_a_reading_they_entered(staff_client, meters, billing_db):
    billing_db.call("record_reading", "SN-R-1", "2026-01-31", 100, "field", "staff:clara")
    own = billing_db.call("record_reading", "SN-R-1", "2026-02-28", 500, "field", "staff:clara")
    assert own["status"] == "review"
    page = staff_client.get(reverse("billing:review_queue"))
    assert reverse("billing:reading_approve", args=[own["reading_id"]]) not in page.content.decode()
    assert "You entered this reading" in text(page)
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:reading_approve", args=[own["reading_id"]]),
                          follow=True)
    assert "you entered it, so another clerk or a billing admin must approve it" in text(r)
    assert billing_db.snapshot() == snapshot
    # rejecting their own reading stays open to them (it bills nothing)
    assert reverse("billing:reading_reject", args=[own["reading_id"]]) in page.content.decode()


def test_a_billing_admin_can_approve_their_own_reading_and_it_is_logged(
        billing_admin_client, meters, billing_db, caplog, monkeypatch):
    billing_db.call("record_reading", "SN-R-1", "2026-01-31", 100, "field", "staff:bea")
    own = billing_db.call("record_reading", "SN-R-1", "2026-02-28", 500, "field", "staff:bea")
    # the project's "billing" logger does not propagate to the root, where caplog listens
    monkeypatch.setattr(logging.getLogger("billing"), "propagate", True)
    with caplog.at_level("WARNING", logger="billing.audit"):
        r = billing_admin_client.post(reverse("billing:reading_approve",
                                              args=[own["reading_id"]]), follow=True)
    assert f"Reading {own['reading_id']} accepted." in text(r)
    row = billing_db.row("SELECT status, recorded_by, reviewed_by FROM v_meter_reading "
                         "WHERE reading_id = %s", own["reading_id"])
    assert row == {"status": "accepted", "recorded_by": "staff:bea", "reviewed_by": "staff:bea"}
    assert any("approved by staff:bea, who entered it" in m for m in caplog.messages)


def test_the_entry_form_shows_the_meters_last_reading_and_typical_use(staff_client, meters,
                                                                      billing_db):
    for day, value in (("2026-01-31", 100), ("2026-03-02", 400)):     # 100 + 300 kWh
        billing_db.call("record_reading", "SN-R-1", day, value, "field", "staff:test")
    page = text(staff_client.get(reverse("billing:reading_create"), {"serial_no": "SN-R-1"}))
    m = billing_db.row("SELECT * FROM v_staff_meter_context WHERE serial_no = 'SN-R-1'")
    # the history: the initial read (2026-01-01) to 2026-03-02, 60 days, 400 kWh
    assert (m["history_kwh"], m["history_days"], str(m["daily_kwh"])) == (400, 60, "6.67")
    assert "last reading 400 on 2 Mar 2026; typical use 6.67 kWh a day" in page
    data = staff_client.get(reverse("billing:meter_context"), {"serial_no": "SN-R-1"}).json()
    assert data["found"] and data["last_register"] == "400.00" and data["capacity"] == str(
        m["capacity"]) and data["history_kwh"] == str(m["history_kwh"])
    assert staff_client.get(reverse("billing:meter_context"),
                            {"serial_no": "NOPE"}).json() == {"found": False}


def test_the_queue_shows_usual_use_previous_readings_and_a_reason_box(staff_client, queue,
                                                                     billing_db):
    r = staff_client.get(reverse("billing:review_queue"))
    html = r.content.decode()
    row = html[html.index(f'id="reading-{queue[0]}"'):]
    row = row[:row.index("</tr>")]
    m = billing_db.row("SELECT daily_kwh, history_kwh, history_days FROM v_staff_meter_context "
                       "WHERE serial_no = 'SN-R-1'")
    # kWh and dates as the one formatter writes them
    assert f"{formatting.kwh(m['daily_kwh'])} a day" in row
    assert f"{formatting.kwh(m['history_kwh'])} over {m['history_days']} days" in row
    assert re.search(r"31 Jan 2026: 100(?![.\d])", row) and re.search(r"1 Jan 2026: 0(?![.\d])", row)
    assert f'<textarea id="reason-{queue[0]}" name="reason"' in row
    assert "Reason for rejecting" in row


@pytest.fixture
def long_queue(billing_db, monkeypatch):
    """Five readings in review on five meters, two of them on the same day; two a page."""
    from billing.views.readings import ReviewQueueView
    monkeypatch.setattr(ReviewQueueView, "PER_PAGE", 2)
    make_tariff(billing_db, code="RES")
    ids = []
    for n, day in enumerate(["2026-02-20", "2026-02-10", "2026-02-14", "2026-02-14",
                             "2026-02-25"]):
        serial = f"SN-Q-{n}"
        make_metered_account(billing_db, tariff_code="RES", serial=serial, opened_on="2026-01-01")
        billing_db.call("record_reading", serial, "2026-01-31", 100, "field", "staff:test")
        r = billing_db.call("record_reading", serial, day, 900, "field", "staff:test")
        assert r["status"] == "review"
        ids.append(r["reading_id"])
    # the queue's order: oldest first, then by reading id
    return [ids[1], ids[2], ids[3], ids[0], ids[4]]


def rows_of(response):
    return re.findall(r'<tr id="reading-(\d+)"', response.content.decode())


def test_the_queue_is_paged_oldest_first_and_every_reading_is_on_a_page(staff_client,
                                                                        long_queue):
    url = reverse("billing:review_queue")
    pages = [staff_client.get(url, {"page": n}) for n in (1, 2, 3)]
    assert [[int(i) for i in rows_of(p)] for p in pages] == [long_queue[:2], long_queue[2:4],
                                                              long_queue[4:]]
    first = text(pages[0])
    assert "5 readings" in first and "readings 1–2 of 5" in first and "Page 1 of 3" in first
    assert 'href="?page=2#queue"' in pages[0].content.decode()
    # a page past the last shows the last (a decision may have emptied it)
    assert rows_of(staff_client.get(url, {"page": 9})) == rows_of(pages[2])
    # a decision taken on page 2 sends the page's number back, and comes back to that page
    assert '<input type="hidden" name="page" value="2">' in pages[1].content.decode()
    assert 'name="page"' not in pages[0].content.decode()
    r = staff_client.post(reverse("billing:reading_approve", args=[long_queue[2]]),
                          {"page": "2"})
    assert r.status_code == 302 and r.url == f"{url}?page=2"
    page2 = staff_client.get(r.url)
    assert [int(i) for i in rows_of(page2)] == [long_queue[3], long_queue[4]]
    assert f"Reading {long_queue[2]} accepted." in text(page2) and "4 readings" in text(page2)
    # anything but a page number goes back to the first page
    for junk in ("1", "0", "-2", "2#x", "²", "", "//evil.example"):
        r = staff_client.post(reverse("billing:reading_reject", args=[long_queue[4]]),
                              {"page": junk, "reason": ""})
        assert r.url == url, junk


def test_the_queue_reads_a_page_in_four_queries(staff_client, long_queue):
    """The count, the page's ids, its rows and their previous readings; nothing per row."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connections["billing"]) as billing:
        staff_client.get(reverse("billing:review_queue"), {"page": 2})
    assert len(billing.captured_queries) == 4


def test_the_refused_rows_uploaded_again_read_as_they_did(staff_client, meters, billing_db):
    """The refused rows' CSV defuses formulas ("'-5", "'=SN-X"); uploaded again it reads the same
    serials and values (csv_export.unquote_cell), so each row is refused for the same reason."""
    content = ("serial,date,value,source\n"
               "=SN-X,2026-01-31,100,field\n"
               "SN-R-1,2026-01-31,-5,field\n")
    first = upload(staff_client, content)
    refused = staff_client.get(reverse("billing:reading_upload_refused")).content.decode()
    assert "'=SN-X" in refused and "'-5" in refused
    again = check(staff_client, refused, name="again.csv")
    before = [(r.serial_no, r.value, r.outcome, r.detail) for r in first.context["results"]]
    after = [(r.serial_no, r.value, r.outcome, r.detail) for r in again.context["results"]]
    assert after == before
    assert [r[:2] for r in after] == [("=SN-X", "100"), ("SN-R-1", "-5")]
    assert after[1][3] == "The reading cannot be negative."


def test_a_long_cell_is_cut_short_with_the_whole_in_the_title(staff_client, meters):
    """One 300-character serial made the results table 3,846 px wide and pushed Date, Value and
    Outcome off the screen: a cell shows at most 40 characters, the whole value in its title,
    and the reason wraps (.upload-results td.detail)."""
    serial = "S" * 300
    r = check(staff_client, f"{serial},2026-01-31,100,field\nSN-R-1,2026-01-31,100,bogus\n")
    html = r.content.decode()
    assert f'title="{serial}"' in html and "S" * 39 + "\u2026" in html
    assert ">" + serial + "<" not in html
    detail = '<td class="detail wide" data-label="Detail">'
    assert detail in html
    # the reason, in its wrapping cell (the form's length limit, or the server's "no meter")
    assert detail + 'Serial: ' in html or "No meter with serial number SSSS" in html


# --- the reading's page: review, or correct a misread (billing-rules.md, "Corrections") --------

def reading_page(client, rid):
    return client.get(reverse("billing:reading_detail", args=[rid]))


def test_a_reading_in_review_is_decided_on_its_own_page(staff_client, queue, billing_db):
    rid = queue[0]
    html = reading_page(staff_client, rid).content.decode()
    assert reverse("billing:reading_approve", args=[rid]) in html
    assert reverse("billing:reading_reject", args=[rid]) in html
    assert 'name="back" value="reading"' in html
    r = staff_client.post(reverse("billing:reading_approve", args=[rid]), {"back": "reading"})
    assert r.status_code == 302 and r.url == reverse("billing:reading_detail", args=[rid])
    assert billing_db.value("SELECT status FROM meter_reading WHERE reading_id = %s", rid) == "accepted"
    page = text(staff_client.get(r.url, follow=True))
    assert f"Reading {rid} accepted." in page


def test_a_misread_is_rejected_from_its_page_and_the_right_value_entered(staff_client, meters,
                                                                       billing_db):
    r = billing_db.call("record_reading", "SN-R-1", "2026-01-31", 170, "field", "staff:other")
    assert r["status"] == "accepted"
    rid = r["reading_id"]
    page = text(reading_page(staff_client, rid))
    assert "A misread?" in page and "Reject as a misread" in page
    done = staff_client.post(reverse("billing:reading_reject", args=[rid]),
                             {"back": "reading", "reason": "misread: 170 is 107"})
    assert done.url == reverse("billing:reading_detail", args=[rid])
    html = staff_client.get(done.url).content.decode()
    assert billing_db.value("SELECT status FROM meter_reading WHERE reading_id = %s", rid) == "rejected"
    entry = reverse("billing:reading_create") + "?serial_no=SN-R-1&amp;read_on=2026-01-31&amp;source=field"
    assert entry in html and "Enter the right value for 31 Jan 2026" in html
    form = staff_client.get(reverse("billing:reading_create"),
                            {"serial_no": "SN-R-1", "read_on": "2026-01-31", "source": "smart"}).content.decode()
    assert 'value="2026-01-31"' in form and 'value="SN-R-1"' in form
    assert '<option value="smart" selected>' in form
    odd = staff_client.get(reverse("billing:reading_create"), {"source": "<x>"}).content.decode()
    assert '<option value="field" selected>' in odd
    right = billing_db.call("record_reading", "SN-R-1", "2026-01-31", 107, "field", "staff:other")
    html = reading_page(staff_client, rid).content.decode()
    assert "Enter the right value" not in html                                   # the day is taken
    assert reverse("billing:reading_detail", args=[right["reading_id"]]) in html  # and by whom


def test_the_page_says_why_a_reading_cannot_be_rejected(staff_client, meters, billing_db):
    first = billing_db.call("record_reading", "SN-R-1", "2026-01-31", 100, "field", "staff:t")
    first_two = billing_db.call("record_reading", "SN-R-2", "2026-01-10", 100, "field", "staff:t")
    billing_db.call("record_reading", "SN-R-2", "2026-01-31", 190, "field", "staff:t")
    billing_db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "batch:t")
    bill_no = billing_db.value("SELECT bill_no FROM bill")
    page = text(reading_page(staff_client, first["reading_id"]))
    assert f"Bill {bill_no} ends on this reading: to correct it, that bill is cancelled first" in page
    assert "a billing admin can, on its page" in page                      # a clerk cannot
    assert "Reject as a misread" not in page
    page = text(reading_page(staff_client, first_two["reading_id"]))
    assert "A later reading of this meter follows" in page and "Reject as a misread" not in page


def test_a_reader_sees_no_decision_on_the_reading_page(manager_client, queue):
    html = reading_page(manager_client, queue[0]).content.decode()
    assert reverse("billing:reading_approve", args=[queue[0]]) not in html
    assert "A misread?" not in html


def test_a_reason_too_long_stays_on_the_reading_page(staff_client, meters, billing_db):
    rid = billing_db.call("record_reading", "SN-R-1", "2026-01-31", 170, "field", "staff:other")["reading_id"]
    r = staff_client.post(reverse("billing:reading_reject", args=[rid]),
                          {"back": "reading", "reason": "y" * 501})
    assert r.status_code == 200                         # the reading's page again, not a redirect
    html = r.content.decode()
    assert "y" * 501 in html and "At most 500 characters" in html
    assert billing_db.value("SELECT status FROM meter_reading WHERE reading_id = %s", rid) == "accepted"


def test_a_reason_too_long_for_a_reading_rejected_meanwhile_says_so(staff_client, meters,
                                                                    billing_db):
    """The reading was rejected meanwhile (another clerk, a second click): its page has no
    reject form to keep the reason in; it said nothing at all."""
    rid = billing_db.call("record_reading", "SN-R-1", "2026-01-31", 170, "field", "staff:other")["reading_id"]
    billing_db.call("reject_reading", rid, "misread", "staff:other")
    for back in ("reading", "queue"):
        r = staff_client.post(reverse("billing:reading_reject", args=[rid]),
                              {"back": back, "reason": "y" * 501}, follow=True)
        assert r.status_code == 200
        assert f"Reading {rid} was not changed: it is rejected already." in text(r)
    assert billing_db.value("SELECT reject_reason FROM meter_reading WHERE reading_id = %s",
                            rid) == "misread"


def test_an_unknown_reading_from_its_page_goes_back_to_the_queue(staff_client, meters):
    r = staff_client.post(reverse("billing:reading_approve", args=[999999]), {"back": "reading"})
    assert r.status_code == 302 and r.url == reverse("billing:review_queue")
    assert "Reading 999999 was not changed" in text(staff_client.get(r.url))


@pytest.mark.parametrize("case, sentence", [
    ("initial", "A meter's initial read cannot be rejected."),
    ("estimated", "An estimate cannot be rejected: it goes when the bill that stored it is cancelled."),
    ("rejected", "This reading is rejected already."),
    ("not_latest", "Only the meter's latest reading can be rejected."),
    ("ends_bill", "This reading ends bill {bill_no}: that bill must be cancelled first."),
    ("exchange_final", "This is the old meter's final read at an exchange: it cannot be rejected."),
])
def test_a_refused_rejection_is_said_in_words(staff_client, meters, billing_db, case, sentence):
    # January billed: SN-R-1 on its reading of 01-31, SN-R-2 on an estimate of 01-31
    one = billing_db.call("record_reading", "SN-R-1", "2026-01-31", 100, "field", "staff:t")["reading_id"]
    billing_db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "batch:t")
    bill_no = billing_db.value("SELECT bill_no FROM bill WHERE end_reading_id = %s", one)
    two = meters[1].meter_id
    if case == "initial":
        rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE kind = 'initial' AND meter_id = %s", two)
    elif case == "estimated":
        rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE kind = 'estimated' AND meter_id = %s", two)
    elif case == "rejected":
        rid = billing_db.call("record_reading", "SN-R-1", "2026-02-10", 110, "field", "staff:t")["reading_id"]
        billing_db.call("reject_reading", rid, "misread", "staff:t")
    elif case == "not_latest":
        billing_db.call("record_reading", "SN-R-1", "2026-02-10", 110, "field", "staff:t")
        rid = one
    elif case == "ends_bill":
        rid = one
    else:
        billing_db.call("exchange_meter", meters[1].account_id, "2026-02-10", 5, "SN-R-3", 5, 1, 0, "staff:t")
        rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE meter_id = %s AND read_on = '2026-02-10'",
                               two)
    before = billing_db.value("SELECT status FROM meter_reading WHERE reading_id = %s", rid)
    r = staff_client.post(reverse("billing:reading_reject", args=[rid]),
                          {"back": "reading", "reason": "misread"}, follow=True)
    assert billing_db.value("SELECT status FROM meter_reading WHERE reading_id = %s", rid) == before
    assert sentence.format(bill_no=bill_no) in visible_text(r.content.decode())
