"""Bill review in the back office (issue 20 §1, issue 22): "Preview run" first (summary, the
flagged and estimated bills with their previous bill, filters, CSV, a previewed bill's lines,
exceptions), then "Issue these bills" (the run, whose page compares its counts with the
preview's) or "Discard"; late fees previewed, then applied, with the bills charged listed.
Billing admins only."""
import csv
import io
import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from billing import formatting

from helpers.real_clock import real
from helpers.review_data import make_overdue_accounts, make_review_accounts

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

A = "staff:test"


def period():
    """The run form's fields: the last full month, issued today."""
    return {"period_start": str(real.last), "period_end": str(real.last_end),
            "issue_date": str(real.today), "due_days": "14"}


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(
        "&#x27;", "'")


@pytest.fixture
def world(billing_db):
    """Five accounts to bill last month (helpers/review_data.py)."""
    return make_review_accounts(billing_db)


def preview(client, data=None):
    r = client.post(reverse("billing:preview_start"), period() if data is None else data)
    assert r.status_code == 302, text(r)
    return int(re.search(r"/billing/previews/(\d+)/", r["Location"]).group(1))


def wait_for_job(client, url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(url).json()
        if data["state"] != "running":
            return data
        time.sleep(0.1)
    raise AssertionError("the billing run did not finish")


def issue(client, preview_id):
    r = client.post(reverse("billing:preview_issue", args=[preview_id]))
    assert r.status_code == 302 and r["Location"].startswith("/billing/jobs/"), r
    data = wait_for_job(client, r["Location"] + "status.json")
    assert data["state"] == "completed", data
    return data


def test_the_start_form_explains_the_rules_and_previews_first(billing_admin_client, world):
    page = text(billing_admin_client.get(reverse("billing:run_list")))
    assert "The period must be over: its last day before today." in page
    assert "Today or later, never in the past" in page
    assert "Preview run" in page and "Preview late fees" in page


def test_a_refused_preview_shows_the_servers_error_on_the_form(billing_admin_client, world,
                                                              billing_db):
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:preview_start"),
                                  {**period(), "issue_date": str(real.last_end)})
    html = r.content.decode()
    assert r.status_code == 200 and "PERIOD_INVALID" not in html
    assert r.context["form"].errors["issue_date"] == [
        f"The issue date cannot be before today ({formatting.day(real.today)}): bills issued in "
        "the past would be overdue at once."]
    assert 'id="id_issue_date_error"' in html and "Not saved</h2>" in html
    # it read "period_end 2026-11-30 is not before today" under the contract's sentence
    r = billing_admin_client.post(reverse("billing:preview_start"),
                                  {**period(), "period_end": str(real.today)})
    assert r.status_code == 200 and r.context["form"].errors["period_end"] == [
        f"The period is not over yet: its last day must be before today "
        f"({formatting.day(real.today)})."]
    assert "period_end" not in text(r) and str(real.today) not in text(r).replace(
        f'value="{real.today}"', "")
    assert billing_db.snapshot() == before


def test_preview_page_filters_csv_lines_then_issue_with_the_same_counts(billing_admin_client,
                                                                        world, billing_db):
    c = billing_admin_client
    pid = preview(c)
    v = billing_db.row("SELECT * FROM v_billing_preview WHERE preview_id = %s", pid)
    assert billing_db.value("SELECT COUNT(*) FROM bill WHERE period_end = %s", real.last_end) == 0
    flags = {r["account_id"]: (r["flag"], r["estimated"]) for r in billing_db.rows(
        "SELECT * FROM v_preview_bills WHERE preview_id = %s", pid)}
    assert flags[world["high"].account_id][0] == "HIGH"
    assert flags[world["low"].account_id][0] == "LOW"
    assert flags[world["est"].account_id][1] == 1
    r = c.get(reverse("billing:preview_detail", args=[pid]))
    page = text(r)
    assert (v["bills"], v["exceptions"], v["high"], v["low"], v["estimated_bills"]) == (
        4, 1, 1, 1, 1)
    assert "Accounts considered 5" in page and "Bills 4" in page and "Exceptions 1" in page
    assert "Estimated 1 bill" in page and "1 HIGH" in page and "1 LOW" in page
    assert "Issue these bills" in page and "Discard" in page
    # the exception in words, with the reading to review
    rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE status = 'review'")
    assert "The reading at the end of the period waits for review." in page
    assert f"Review reading {rid}" in page
    # listed by default: flagged or estimated, with the previous bill beside
    listed = {b.account_id for b in r.context["bills"]}
    assert listed == {world["high"].account_id, world["low"].account_id,
                      world["est"].account_id}
    prev_no = billing_db.value("SELECT bill_no FROM bill WHERE account_id = %s",
                               world["high"].account_id)
    assert prev_no in page
    r = c.get(reverse("billing:preview_detail", args=[pid]), {"flag": "HIGH", "show": "flagged"})
    assert [b.account_id for b in r.context["bills"]] == [world["high"].account_id]
    r = c.get(reverse("billing:preview_detail", args=[pid]), {"show": "estimated"})
    assert [b.account_id for b in r.context["bills"]] == [world["est"].account_id]
    r = c.get(reverse("billing:preview_detail", args=[pid]), {"show": "all"})
    assert len(r.context["bills"].object_list) == 4
    # CSV of the filtered list
    r = c.get(reverse("billing:preview_detail", args=[pid]), {"show": "all", "format": "csv"})
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 4 and {x["account_no"] for x in rows} == {
        world[k].account_no for k in ("high", "low", "est", "first")}
    high = next(x for x in rows if x["account_no"] == world["high"].account_no)
    assert (high["flag"], high["prev_bill_no"]) == ("HIGH", prev_no)
    # a previewed bill's lines
    r = c.get(reverse("billing:preview_bill", args=[pid, world["high"].account_id]))
    lines = billing_db.rows("SELECT * FROM v_preview_lines WHERE preview_id = %s AND "
                            "account_id = %s", pid, world["high"].account_id)
    assert r.status_code == 200 and len(r.context["lines"]) == len(lines) > 0
    assert "Not issued" in text(r) and prev_no in text(r)
    # issue: the run for the same arguments; its page says it billed what the preview showed
    data = issue(c, pid)
    assert data["run_url"] == reverse("billing:run_detail", args=[data["run_id"]]) + \
        f"?preview={pid}"
    run = billing_db.row("SELECT * FROM v_staff_billing_run WHERE run_id = %s", data["run_id"])
    assert (run["period_start"], run["period_end"], run["issue_date"]) == \
        (real.last, real.last_end, real.today)
    assert run["started_by"] == "staff:bea"
    page = text(c.get(data["run_url"]))
    assert f"The run billed what preview {pid} showed: 4 bills, 1 exception" in page


def test_when_data_changed_the_run_page_says_how(billing_admin_client, world, billing_db):
    c = billing_admin_client
    pid = preview(c)
    rid = billing_db.value("SELECT reading_id FROM meter_reading WHERE status = 'review'")
    billing_db.call("approve_reading", rid, A)             # one more account can be billed now
    data = issue(c, pid)
    page = text(c.get(data["run_url"]))
    assert ("The run billed 5 bills; the preview had 4. The run had 0 exceptions; the preview "
            "had 1.") in page
    assert "data changed since the preview. The run's results are what counts." in page


def test_discard(billing_admin_client, world, billing_db):
    pid = preview(billing_admin_client)
    listing = billing_admin_client.get(reverse("billing:run_list")).content.decode()
    assert f'href="{reverse("billing:preview_detail", args=[pid])}"' in listing
    r = billing_admin_client.post(reverse("billing:preview_discard", args=[pid]), follow=True)
    assert f"Preview {pid} discarded: nothing was issued." in text(r)
    assert billing_db.value("SELECT COUNT(*) FROM billing_preview") == 0
    assert billing_admin_client.get(reverse("billing:preview_detail",
                                            args=[pid])).status_code == 404
    assert "Previews" not in text(billing_admin_client.get(reverse("billing:run_list")))


# a day sent that is no day, quoted (DayField)
NOT_A_DAY_SENT = ("\u201c2026-02-30\u201d is not a day: give the day as YYYY-MM-DD, "
                  "e.g. 2026-11-30.")

@pytest.mark.parametrize("role_client", ["staff_client", "manager_client"])
def test_clerks_and_managers_are_refused(request, role_client, world, billing_db):
    pid = billing_db.call("preview_billing", real.last, real.last_end, real.today, 14,
                          A)["preview_id"]
    before = billing_db.snapshot()
    for client in (request.getfixturevalue(role_client),):
        assert client.post(reverse("billing:preview_start"), period()).status_code == 403
        for name, args in (("billing:preview_detail", [pid]),
                           ("billing:preview_bill", [pid, world["high"].account_id])):
            assert client.get(reverse(name, args=args)).status_code == 403
        for name in ("billing:preview_issue", "billing:preview_discard"):
            assert client.post(reverse(name, args=[pid])).status_code == 403
        assert client.get(reverse("billing:late_fees_preview"),
                          {"as_of": str(real.today)}).status_code == 403
        listing = client.get(reverse("billing:run_list")).content.decode()
        assert "Preview run" not in listing and "/billing/previews/" not in listing
        client.logout()
    assert billing_db.snapshot() == before                 # nothing issued, discarded, charged


# --- late fees: preview, then apply -----------------------------------------------------------
@pytest.fixture
def overdue(billing_db):
    """Two accounts with a bill of early last month, due long ago, unpaid (5 % late fee)."""
    return make_overdue_accounts(billing_db)


def test_late_fees_are_previewed_then_applied_and_the_bills_charged_listed(
        billing_admin_client, overdue, billing_db):
    c = billing_admin_client
    before = billing_db.snapshot()
    r = c.get(reverse("billing:late_fees_preview"), {"as_of": str(real.today)})
    assert billing_db.snapshot() == before                 # nothing charged by looking
    want = billing_db.call_rows("preview_late_fees", real.today, A)
    page = text(r)
    assert "2 bills would be charged" in page and "Apply these late fees" in page
    for w in want:
        assert w["bill_no"] in page and f"€{w['fee']}" in page
    r = c.post(reverse("billing:late_fees"), {"as_of": str(real.today)}, follow=True)
    page = text(r)
    assert "2 bills charged" in page
    charged = billing_db.rows("SELECT bill_id, amount FROM ledger_entry WHERE entry_type = "
                              "'late_fee' ORDER BY bill_id")
    assert [(x["bill_id"], x["amount"]) for x in charged] == [(w["bill_id"], w["fee"])
                                                              for w in want]
    assert [x.bill_id for x in r.context["charged"]] == [w["bill_id"] for w in want]
    # again: nothing more to charge, and the result page lists none
    r = c.get(reverse("billing:late_fees_preview"), {"as_of": str(real.today)})
    assert "No bill would be charged" in text(r)
    r = c.post(reverse("billing:late_fees"), {"as_of": str(real.today)}, follow=True)
    assert "0 bills charged" in text(r) and "No bill charged" in text(r)


def test_one_bill_is_one_bill(billing_admin_client, overdue, billing_db):
    billing_db.call("post_payment", overdue[0].account_id, "1000.00", "cash", None, "k-1", A)
    c = billing_admin_client
    assert "1 bill would be charged" in text(c.get(reverse("billing:late_fees_preview"),
                                                   {"as_of": str(real.today)}))
    page = text(c.post(reverse("billing:late_fees"), {"as_of": str(real.today)}, follow=True))
    assert "1 bill charged," in page and "1 bill charged " in page
    assert "1 bills" not in page


@pytest.mark.parametrize("as_of", ["tomorrow", "2099-01-01"])
def test_a_late_fee_preview_for_a_day_to_come_is_refused_on_the_field(billing_admin_client,
                                                                      overdue, billing_db, as_of):
    """It went back to the runs page with the error in the top banner only and the field reset
    to today. Now the runs page answers with the refusal on the "As of" field, the typed day
    kept; nothing is charged."""
    typed = str(real.today + timedelta(days=1)) if as_of == "tomorrow" else as_of
    before = billing_db.snapshot()
    r = billing_admin_client.get(reverse("billing:late_fees_preview"), {"as_of": typed})
    assert r.status_code == 200 and r.templates[0].name == "billing/run_list.html"
    form = r.context["late_fee_form"]
    assert form.errors == {"as_of": [
        f"The day cannot be after today ({formatting.day(real.today)})."]}
    html = r.content.decode()
    assert f'name="as_of" value="{typed}"' in html
    assert "INVALID_ARGUMENT" not in text(r) and "Not done" not in text(r)
    assert not list(r.context["messages"])                  # on the field, not in a banner
    r = billing_admin_client.post(reverse("billing:late_fees"), {"as_of": typed})
    assert r.status_code == 200 and list(r.context["late_fee_form"].errors) == ["as_of"]
    assert f'name="as_of" value="{typed}"' in r.content.decode()
    assert billing_db.snapshot() == before


@pytest.mark.parametrize("typed, says", [
    ("9999-12-31", "Give a day from 1 Jan 1900 to 31 Dec 2999."),
    ("2026-02-30", NOT_A_DAY_SENT),
    ("", "This field is required.")])
def test_a_late_fee_day_that_is_no_day_is_said_on_the_field(billing_admin_client, overdue,
                                                            typed, says):
    """As every query-string day (DayField): the runs page, the message on the field."""
    r = billing_admin_client.get(reverse("billing:late_fees_preview"), {"as_of": typed})
    assert r.status_code == 200
    assert r.context["late_fee_form"].errors["as_of"] == [says]
    assert f'name="as_of" value="{typed}"' in r.content.decode() or typed == ""


def test_a_long_preview_shows_its_progress_then_its_page(billing_admin_client, world,
                                                         billing_db, monkeypatch):
    """A preview that takes longer than the start view waits for goes to the job page (its
    progress from v_billing_preview), whose link is the preview's page."""
    from billing import services
    from billing.views import previews
    preview_billing = services.preview_billing

    def slow_preview(**kwargs):
        time.sleep(0.5)                          # a large preview, in short
        return preview_billing(**kwargs)

    monkeypatch.setattr(services, "preview_billing", slow_preview)
    monkeypatch.setattr(previews.PreviewStartView, "WAIT", 0.05)
    r = billing_admin_client.post(reverse("billing:preview_start"), period())
    assert r.status_code == 302 and r["Location"].startswith("/billing/jobs/")
    page = text(billing_admin_client.get(r["Location"]))
    assert "Preview of a billing run" in page and "A preview issues nothing" in page
    data = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    pid = billing_db.value("SELECT MAX(preview_id) FROM billing_preview")
    assert (data["state"], data["preview_id"], data["accounts_total"], data["bills"]) == (
        "completed", pid, 5, 4)
    assert data["run_url"] == reverse("billing:preview_detail", args=[pid])
    assert billing_db.value("SELECT COUNT(*) FROM bill WHERE period_end = %s", real.last_end) == 0
    # the job page, reloaded once done, and its JSON say what the preview found, in one text
    assert data["progress_text"] == "5 accounts considered: 4 bills, 1 exception"
    page = text(billing_admin_client.get(r["Location"]))
    assert "Accounts previewed" in page and \
        "5 accounts considered: 4 bills, 1 exception · completed" in page


# --- what a run did, said on its progress line; a preview of no bill offers nothing to issue ----
def test_the_progress_line_says_what_happened():
    from billing.runs import progress_text
    assert progress_text(done=120, total=300, state="running") == "120 of 300 accounts"
    assert progress_text(done=0, total=None, state="running") == "0 of ? accounts"
    assert progress_text(done=3, total=3, state="completed", billed=0, skipped=3) == \
        "3 accounts considered: 0 billed, 3 skipped"
    assert progress_text(done=1, total=1, state="completed", billed=1, skipped=0) == \
        "1 account considered: 1 billed, 0 skipped"
    assert progress_text(done=2500, total=2500, state="completed", billed=2498, skipped=2,
                         preview=True) == "2,500 accounts considered: 2,498 bills, 2 exceptions"
    assert progress_text(done=2, total=5, state="failed", billed=0, skipped=0) == \
        "2 of 5 accounts"


def test_a_run_that_billed_nobody_says_so_on_its_progress_line(billing_admin_client, world,
                                                                billing_db):
    """The job page read "Accounts billed … 1 of 1 accounts · completed" with a full bar for a
    run that issued no bill (its one account skipped)."""
    first = billing_db.call("run_billing", real.last, real.last_end, real.today, 14, A)
    assert (first["bills_created"], first["accounts_skipped"]) == (4, 1)   # "review" waits
    r = billing_admin_client.post(reverse("billing:run_rerun", args=[first["run_id"]]),
                                  {"issue_date": str(real.today), "due_days": "14"})
    assert r.status_code == 302 and r["Location"].startswith("/billing/jobs/")
    data = wait_for_job(billing_admin_client, r["Location"] + "status.json")
    assert (data["state"], data["bills_created"], data["accounts_skipped"]) == ("completed", 0, 1)
    assert data["progress_text"] == "1 account considered: 0 billed, 1 skipped"
    page = text(billing_admin_client.get(r["Location"]))
    assert "1 account considered: 0 billed, 1 skipped · completed" in page
    assert "Accounts billed" not in page and "Accounts worked through" in page
    progress = billing_admin_client.get(reverse("billing:run_progress",
                                                args=[data["run_id"]])).json()
    assert progress["progress_text"] == data["progress_text"]


def test_a_preview_of_no_bill_offers_nothing_to_issue(billing_admin_client, world, billing_db):
    billing_db.call("run_billing", real.last, real.last_end, real.today, 14, A)
    pid = preview(billing_admin_client)             # the one account left waits for review
    page = text(billing_admin_client.get(reverse("billing:preview_detail", args=[pid])))
    assert "Issue these bills" not in page and "Discard" in page
    assert "Nothing to issue: no account would be billed. Resolve the exception below, then " \
        "preview the period again." in page
    runs_before = billing_db.value("SELECT COUNT(*) FROM billing_run")
    r = billing_admin_client.post(reverse("billing:preview_issue", args=[pid]), follow=True)
    assert r.redirect_chain[-1][0] == reverse("billing:preview_detail", args=[pid])
    assert "Nothing to issue: this preview has no bill." in text(r)
    assert billing_db.value("SELECT COUNT(*) FROM billing_run") == runs_before
