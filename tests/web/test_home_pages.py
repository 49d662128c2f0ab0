"""The staff home page per role (billing/views/home.py): a manager's and a billing admin's figures
of collection (v_kpi_*), a clerk's review queue, today's collections and recent work."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def block(response, element_id):
    """The text of the element with that id (a KPI box or a section)."""
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    end = html.index("</div>" if element_id.startswith(("kpi-", "today-")) else "</section>",
                     start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end])).strip()


@pytest.fixture
def month_of_work(billing_db):
    """Two accounts billed in the past (one overdue bill, one paid), a bill issued this month,
    a reading in review and payments today by two cashiers."""
    db = billing_db
    today = db.value("SELECT CURRENT_DATE")
    first = today.replace(day=1)
    prev = (first - dt.timedelta(days=1)).replace(day=1)        # last month
    prev2 = (prev - dt.timedelta(days=1)).replace(day=1)        # the month before
    make_tariff(db, code="RES", name="Residential")
    a = make_metered_account(db, tariff_code="RES", serial="SN-H-1", opened_on=str(prev2),
                             name="Ada Home")
    b = make_metered_account(db, tariff_code="RES", serial="SN-H-2", opened_on=str(prev2))
    end2 = prev - dt.timedelta(days=1)
    db.call("record_reading", "SN-H-1", str(end2), 100, "field", "staff:test")
    db.call("record_reading", "SN-H-2", str(end2), 40, "field", "staff:test")
    db.call("run_billing", str(prev2), str(end2), str(prev), 14, "staff:test")   # overdue now
    last = first - dt.timedelta(days=1)
    db.call("record_reading", "SN-H-1", str(last), 200, "field", "staff:test")
    db.call("record_reading", "SN-H-2", str(last), 80, "field", "staff:test")
    db.call("run_billing", str(prev), str(last), str(first), 14, "staff:test")  # this month
    # a reading far above the usual use waits for review
    db.call("record_reading", "SN-H-2", str(today), 9000, "field", "staff:clara")
    db.set_clock(f"{today} 23:00:00")
    db.call("post_payment", b.account_id, "5.00", "cash", f"{today} 09:00:00", "h1", "staff:clara")
    db.call("post_payment", a.account_id, "7.25", "card", f"{today} 10:00:00", "h2", "staff:bob")
    db.set_clock(None)
    return a, b


def test_a_manager_sees_how_collection_is_going(manager_client, month_of_work, billing_db):
    r = manager_client.get(reverse("billing:home"))
    assert r.status_code == 200
    k = billing_db.row("SELECT * FROM v_kpi_summary")
    assert k["bills_this_month"] == 2 and k["readings_in_review"] == 1
    assert k["overdue_amount"] > 0 and k["dso_days"] is not None
    assert f"€{k['billed_this_month']:,}" in block(r, "kpi-billed")
    assert "2 bills issued" in block(r, "kpi-billed")
    assert f"€{k['collected_this_month']:,}" in block(r, "kpi-collected")
    assert f"€{k['open_amount']:,}" in block(r, "kpi-open")
    assert f"€{k['overdue_amount']:,}" in block(r, "kpi-overdue")
    assert f"{k['dso_days']} days" in block(r, "kpi-dso")
    assert "1 in the review queue" in block(r, "kpi-readings")
    aging = block(r, "aging")
    for b in billing_db.rows("SELECT * FROM v_kpi_aging_buckets"):
        assert f"{b['accounts']} €{b['amount']:,}" in aging
    html = r.content.decode()
    # 12 months of billed against collected: a Chart.js chart and its table
    months = billing_db.rows("SELECT * FROM v_kpi_monthly ORDER BY month")
    assert 'data-chart="trend-data"' in html and 'id="trend-data"' in html
    assert "/static/billing/vendor/chartjs/chart.umd.js" in html
    assert f"{months[-1]['month']} (so far)" in html
    for m in months[:-1]:
        assert f"{m['month']} €{m['billed']:,} €{m['collected']:,}" in text(r)
    # a manager changes nothing: no desk section
    assert 'id="queue"' not in html and 'id="today"' not in html and 'id="recent"' not in html


def test_a_clerk_sees_the_queue_today_and_their_recent_work(staff_client, month_of_work,
                                                            billing_db):
    r = staff_client.get(reverse("billing:home"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="collection"' not in html and "data-chart" not in html      # no KPIs for a clerk
    assert "Review queue: 1 reading waiting" in block(r, "queue")
    assert "meter SN-H-2" in block(r, "queue")
    assert "€5.00 1 payment" in block(r, "today-mine")          # clara's own
    assert "€12.25 2 payments" in block(r, "today-all")         # everybody's, from SQL
    recent = block(r, "recent")
    b = month_of_work[1]
    payment_id, receipt = billing_db.row("SELECT payment_id, receipt_no FROM v_payments WHERE "
                                         "account_id = %s AND amount = 5.00",
                                         b.account_id).values()
    # the words and the numbers staff know, not "payment posted, account 2"
    assert f"Payment posted, receipt {receipt} , account {b.account_no}" in recent
    assert f"account {b.account_id} " not in recent + " "
    assert "Nothing recorded" not in recent
    html = r.content.decode()
    assert reverse("billing:payment_receipt", args=[payment_id]) in html


def test_recent_work_in_words_with_customer_and_account_numbers(staff_client, billing_db):
    """A clerk's day: a new customer, an account opened, a meter installed, a payment, the
    account closed; each in words, with the customer's or the account's number (linked). It
    read "insert customer, customer 1", "insert account, account 1", "update account, ..."."""
    db, me = billing_db, "staff:clara"
    make_tariff(db, code="RES")
    c = db.call("create_customer", "Ada Words", None, None, None, me)
    a = db.call("open_account", c["customer_id"], "RES", "1 Main St", "2026-01-01", me)
    db.call("install_meter", a["account_id"], "SN-W-1", 5, 1, "2026-01-01", 0, me)
    db.call("close_account", a["account_id"], "2026-01-31", me)
    r = staff_client.get(reverse("billing:home"))
    items = [re.sub(r"^.*?: ", "", i) for i in re.findall(
        r"<li>(.*?)</li>", r.content.decode().split('id="recent"')[1].split("</section>")[0])]
    items = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", i)).strip() for i in items]
    acc = f"account {a['account_no']}"
    assert items == [f"Account closed, {acc}", f"Meter removed, {acc}",
                     f"Meter installed, {acc}", f"Meter added, {acc}",
                     f"Account opened, {acc}", f"New customer, customer {c['customer_no']}"]


def test_a_billing_admin_sees_both(billing_admin_client, month_of_work):
    html = billing_admin_client.get(reverse("billing:home")).content.decode()
    assert all(f'id="{s}"' in html for s in ("collection", "aging", "queue", "today", "recent"))
    assert "Nothing recorded under staff:bea yet." in html
    assert "None yet" in html                                    # bea took no payment today


def test_home_pages_with_no_data(manager_client, billing_db):
    r = manager_client.get(reverse("billing:home"))
    assert r.status_code == 200
    assert "€0.00" in block(r, "kpi-billed") and "—" in block(r, "kpi-dso")


def test_the_home_page_shows_the_kept_figures_while_they_are_fresh(manager_client, month_of_work,
                                                                  billing_db):
    """The 5-minute job keeps the collection figures (refresh_kpi_snapshot): the page shows them,
    with the time they were taken, while they are of today and at most 15 minutes old; a payment
    since shows at the next refresh. The work waiting is always live. Older kept figures, or
    none, and the page reads the live views."""
    a, b = month_of_work
    billing_db.call("refresh_kpi_snapshot")
    kept = billing_db.row("SELECT * FROM v_kpi_kept_summary")
    billing_db.call("post_payment", a.account_id, "3.00", "cash", None, "h-kept", "staff:clara")
    live = billing_db.row("SELECT * FROM v_kpi_summary")
    assert live["collected_this_month"] == kept["collected_this_month"] + 3
    r = manager_client.get(reverse("billing:home"))
    assert f"€{kept['collected_this_month']:,}" in block(r, "kpi-collected")
    assert f"€{kept['open_amount']:,}" in block(r, "kpi-open")
    taken = kept["taken_at"]
    assert (f"as of {taken.day} {taken:%b %Y}, {taken:%H:%M} (the money figures are refreshed "
            "every 5 minutes)") in text(r)
    assert "1 in the review queue" in block(r, "kpi-readings")
    for bucket in billing_db.rows("SELECT * FROM v_kpi_kept_aging_buckets"):
        assert f"{bucket['accounts']} €{bucket['amount']:,}" in block(r, "aging")
    # 16 minutes old: the live figures
    billing_db.execute("UPDATE kpi_snapshot SET taken_at = NOW() - INTERVAL 16 MINUTE")
    r = manager_client.get(reverse("billing:home"))
    assert f"€{live['collected_this_month']:,}" in block(r, "kpi-collected")
    assert "refreshed every 5 minutes" not in text(r)
    # the next refresh has the payment
    billing_db.call("refresh_kpi_snapshot")
    r = manager_client.get(reverse("billing:home"))
    assert f"€{live['collected_this_month']:,}" in block(r, "kpi-collected")
    assert "refreshed every 5 minutes" in text(r)


def test_the_fold_job_keeps_the_home_page_figures(billing_db, month_of_work):
    """manage.py fold_report_deltas (the 5-minute job) folds, then refreshes the kept figures
    and the kept dunning list."""
    from io import StringIO

    from django.core.management import call_command
    out = StringIO()
    call_command("fold_report_deltas", stdout=out)
    assert "report deltas folded" in out.getvalue()
    assert "home page figures kept as of" in out.getvalue()
    kept = billing_db.row("SELECT open_amount, collected_this_month FROM v_kpi_kept_summary")
    live = billing_db.row("SELECT open_amount, collected_this_month FROM v_kpi_summary")
    assert kept == live
    # and the dunning list (refresh_dunning_snapshot)
    assert "dunning list kept as of" in out.getvalue()
    assert billing_db.row("SELECT accounts, overdue FROM v_dunning_kept_total") == \
        billing_db.row("SELECT accounts, overdue FROM v_staff_dunning_total")
    # and the aging report (refresh_aging_snapshot)
    assert "aging report kept as of" in out.getvalue()
    assert billing_db.row("SELECT SUM(accounts) AS accounts, SUM(total_open) AS total_open "
                          "FROM v_staff_aging_kept_total") == \
        billing_db.row("SELECT accounts, total_open FROM v_staff_aging_total")
