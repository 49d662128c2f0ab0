"""Back office, reports (table, chart, CSV) and the audit trail, per customer and globally."""
import csv
import io
import re

import openpyxl

import pytest
from django.urls import reverse

from billing import formatting
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def billed(billing_db):
    db = billing_db
    make_tariff(db, code="RES", name="Residential")
    a = make_metered_account(db, tariff_code="RES", serial="SN-Q-1", opened_on="2026-01-01",
                             name="Ada Report")
    b = make_metered_account(db, tariff_code="RES", serial="SN-Q-2", opened_on="2026-01-01")
    db.call("record_reading", "SN-Q-1", "2026-01-31", 100, "field", "staff:test")
    db.call("record_reading", "SN-Q-2", "2026-01-31", 40, "field", "staff:test")
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:test")
    db.call("post_payment", a.account_id, "3.00", "cash", "2026-02-03 09:00:00", "k-q1",
            "staff:test")
    db.call("post_payment", b.account_id, "1.00", "card", "2026-02-03 10:00:00", "k-q2",
            "staff:test")
    return a, b


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_aging_report_table_chart_and_csv(manager_client, billed, billing_db):
    url = reverse("billing:report_aging")
    r = manager_client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    # a Chart.js chart from the project's static files, with its table; no CDN
    assert 'data-chart="report-chart-data"' in html and "Open amounts by days past due" in html
    assert "/static/billing/vendor/chartjs/chart.umd.js" in html and "cdn" not in html.lower()
    aging = billing_db.rows("SELECT * FROM v_report_aging ORDER BY total_open DESC, account_no")
    total = billing_db.value("SELECT SUM(total_open) FROM v_aging")
    assert all(a["account_no"] in html for a in aging) and f"€{total}" in text(r)
    rows = csv_rows(manager_client.get(url + "?format=csv"))
    assert rows[0] == ["Account", "Customer", "Phone", "Tariff", "Not due yet", "1–30 days",
                       "31–60 days", "61–90 days", "Over 90 days", "Total open"]
    keys = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus", "total_open")
    assert rows[1:] == [[a["account_no"], a["customer_name"], a["phone"] or "", "RES",
                         *(str(a[c]) for c in keys)] for a in aging]


def test_collections_report(billing_admin_client, billed, billing_db):
    r = billing_admin_client.get(reverse("billing:report_collections"))
    assert r.status_code == 200 and 'data-chart="report-chart-data"' in r.content.decode()
    rows = csv_rows(billing_admin_client.get(reverse("billing:report_collections")
                                             + "?format=csv"))
    assert rows == [["Day", "Cashier", "Method", "Payments", "Amount", "Reversed later",
                     "Amount reversed"],
                    ["2026-02-03", "staff:test", "Cash", "1", "3.00", "0", "0.00"],
                    ["2026-02-03", "staff:test", "Card", "1", "1.00", "0", "0.00"]]
    assert "€4.00" in text(r)                                  # the total, from SQL


def test_revenue_and_consumption_reports(manager_client, billed, billing_db):
    rows = csv_rows(manager_client.get(reverse("billing:report_revenue") + "?format=csv"))
    total = billing_db.value("SELECT SUM(total_amount) FROM v_bill_summary")
    assert rows[0][:3] == ["Period", "Tariff", "Bills"] and rows[0][-1] == "Total billed"
    assert rows[1][:3] == ["2026-01", "RES", "2"] and rows[1][-1] == str(total)
    assert len(rows) == 2
    rows = csv_rows(manager_client.get(reverse("billing:report_consumption") + "?format=csv"))
    assert rows == [["Month", "Month not over", "Tariff", "Meters", "Readings",
                     "Consumption (kWh)", "In review"],
                    ["2026-01", "no", "RES", "2", "2", "140.0000", "0"]]
    r = manager_client.get(reverse("billing:report_revenue"))
    assert r.status_code == 200 and 'data-chart="report-chart-data"' in r.content.decode()
    r = manager_client.get(reverse("billing:report_consumption"))
    assert r.status_code == 200 and "Consumption per month" in r.content.decode()
    index = manager_client.get(reverse("billing:report_index")).content.decode()
    for name in ("aging", "collections", "revenue", "consumption"):
        assert reverse(f"billing:report_{name}") in index


def test_aging_rows_link_the_account_and_show_whom_to_call(manager_client, billing_db):
    make_tariff(billing_db, code="RES", name="Residential")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-AG-1",
                             opened_on="2026-01-01", name="=HYPERLINK(\"http://x\")")
    billing_db.execute("UPDATE customer SET phone = '+1 (555) 010-0199' WHERE customer_id = %s",
                       a.customer_id)
    billing_db.call("record_reading", "SN-AG-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:test")
    url = reverse("billing:report_aging")
    html = manager_client.get(url).content.decode()
    assert f'<a href="/accounts/{a.account_id}/">{a.account_no}</a>' in html
    assert f'<a href="/customers/{a.customer_id}/">=HYPERLINK(&quot;http://x&quot;)</a>' in html
    assert '<a href="tel:+15550100199">+1 (555) 010-0199</a>' in html
    header, *rows = csv_rows(manager_client.get(url + "?format=csv"))
    assert rows[0][:4] == [a.account_no, "'=HYPERLINK(\"http://x\")", "'+1 (555) 010-0199",
                           "RES"]
    ws = openpyxl.load_workbook(io.BytesIO(manager_client.get(url + "?format=xlsx").content)).active
    x_header, *x_rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert x_header == header
    assert x_rows[0][:4] == [a.account_no, "=HYPERLINK(\"http://x\")", "+1 (555) 010-0199", "RES"]
    assert ws.cell(row=2, column=2).data_type == "s"          # text, never a formula


def test_the_consumption_chart_marks_the_current_month(manager_client, billed, billing_db):
    today = billing_db.value("SELECT CURRENT_DATE")
    billing_db.call("record_reading", "SN-Q-1", str(today), 130, "field", "staff:test")
    this = today.strftime("%Y-%m")
    html = manager_client.get(reverse("billing:report_consumption")).content.decode()
    assert f'"{this} (so far)"' in html and '"partial": [false' in html and "true]" in html
    assert "The current month is not over" in html
    assert f"<th scope=\"row\">{this} (so far)</th>" in html           # the chart's table
    rows = csv_rows(manager_client.get(reverse("billing:report_consumption") + "?format=csv"))
    assert [(r[0], r[1]) for r in rows[1:]] == [(this, "yes"), ("2026-01", "no")]


def test_reports_with_no_data(manager_client, billing_db):
    for name in ("aging", "collections", "revenue", "consumption"):
        r = manager_client.get(reverse(f"billing:report_{name}"))
        assert r.status_code == 200 and "No data yet." in r.content.decode()


def test_the_audit_trail_globally_and_per_customer(manager_client, billed, billing_db):
    a, b = billed
    billing_db.call("update_customer", a.customer_id, "Ada Renamed", None, None, None,
                    "staff:clara")
    mine = manager_client.get(reverse("billing:customer_audit", args=[a.customer_id]))
    page = text(mine)
    assert mine.status_code == 200 and "staff:clara" in page and "Ada Renamed" in page
    expected = billing_db.value("SELECT COUNT(*) FROM v_audit_log WHERE customer_id = %s",
                                a.customer_id)
    # the customer, their account, meter and meter installation: insert rows and the update
    assert expected >= 5
    assert mine.content.decode().count('<td class="nowrap">') >= expected
    assert f"account {a.account_id}" in page and f"customer {b.customer_id} " not in page
    everything = text(manager_client.get(reverse("billing:audit")))
    assert f"customer {b.customer_id}" in everything and "tariff" in everything


def test_v_audit_log_links_each_change_to_its_customer(billed, billing_db):
    a, _ = billed
    rows = billing_db.rows("SELECT table_name, customer_id FROM v_audit_log "
                           "WHERE table_name IN ('customer', 'account', 'meter', "
                           "'meter_installation') ORDER BY audit_id")
    mine = {r["table_name"] for r in rows if r["customer_id"] == a.customer_id}
    assert mine == {"customer", "account", "meter", "meter_installation"}
    assert billing_db.value("SELECT COUNT(*) FROM v_audit_log WHERE table_name = 'tariff' "
                            "AND customer_id IS NULL") == 1


def test_aging_totals_unfiltered_come_from_their_own_view_with_the_same_figures(
        manager_client, billing_db):
    """The aging report's totals row without a filter is v_staff_aging_total's (the open bills
    summed directly), with a filter the view's rows summed: both are COUNT and SUM over
    v_report_aging, with bills in every bucket, a partial payment, a bill paid off, a cancelled
    bill and two tariffs."""
    db = billing_db
    make_tariff(db, code="RES", name="Residential")
    make_tariff(db, code="BIZ", name="Business")
    accounts = [make_metered_account(db, tariff_code=code, serial=f"SN-AT-{n}",
                                     opened_on="2025-06-01")
                for n, code in enumerate(("RES", "RES", "BIZ"))]
    for month, (start, end, issue) in enumerate((("2025-06-01", "2025-06-30", "2025-07-01"),
                                                 ("2025-07-01", "2025-07-31", "2025-08-01"),
                                                 ("2025-08-01", "2025-08-31", "2025-09-01"),
                                                 ("2025-09-01", "2025-09-30", "2025-10-01"),
                                                 ("2025-10-01", "2025-10-31", "2025-11-01"))):
        db.set_clock(issue)
        for n, a in enumerate(accounts):
            db.call("record_reading", a.serial, end, 100 * (month + 1) * (n + 1), "field",
                    "staff:test")
        db.call("run_billing", start, end, issue, 14, "staff:test")
    db.set_clock("2025-11-05")
    db.call("post_payment", accounts[0].account_id, "5.00", "cash", None, "k-at-1", "staff:test")
    db.call("post_payment", accounts[1].account_id, "100000.00", "cash", None, "k-at-2",
            "staff:test")                                   # everything paid, credit left
    last = db.value("SELECT MAX(bill_id) FROM bill WHERE account_id = %s", accounts[2].account_id)
    db.call("cancel_bill", last, "wrong reading", "staff:test")
    db.set_clock("2025-11-20")                              # buckets: not due .. over 90 days

    def over_view(where=""):
        return db.row("SELECT COUNT(*) AS accounts, SUM(not_due) AS not_due, SUM(d1_30) AS d1_30,"
                      " SUM(d31_60) AS d31_60, SUM(d61_90) AS d61_90, SUM(d90_plus) AS d90_plus,"
                      " SUM(total_open) AS total_open FROM v_report_aging " + where)

    mine = db.row("SELECT * FROM v_staff_aging_total")
    theirs = over_view()
    assert {k: str(v) for k, v in mine.items()} == {k: str(v) for k, v in theirs.items()}
    assert mine["accounts"] == 2 and all(mine[k] > 0 for k in ("d1_30", "d31_60", "d61_90",
                                                               "d90_plus"))
    db.set_clock(None)
    url = reverse("billing:report_aging")
    for query, where in (({}, ""), ({"tariff": "BIZ"}, "WHERE tariff_code = 'BIZ'"),
                         ({"overdue_only": "on"}, "WHERE overdue > 0")):
        want = over_view(where)
        page = manager_client.get(url, query)
        n = want["accounts"]
        assert page.context["page"].paginator.count == n, query
        totals = text(page)
        assert f"All accounts ({n:,} row{'s' if n != 1 else ''})" in totals, query
        assert formatting.money(want["total_open"]) in totals, query


@pytest.fixture
def aging_kept(billing_db):
    """Three accounts billed for January 2026 (all overdue now): two on RES, one on BIZ; the
    5-minute job's refresh of the aging report, then a payment of 1.00 that only the live report
    has. Returns the accounts, biggest first, and when the report was taken."""
    db = billing_db
    make_tariff(db, code="RES", name="Residential")
    make_tariff(db, code="BIZ", name="Business")
    accounts = [make_metered_account(db, tariff_code=code, serial=f"SN-AK-{n}",
                                     opened_on="2026-01-01", name=f"Kept {n}")
                for n, code in enumerate(("RES", "BIZ", "RES"))]
    for n, a in enumerate(accounts):
        db.call("record_reading", a.serial, "2026-01-31", 300 - 100 * n, "field", "staff:test")
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:test")
    taken = db.call("refresh_aging_snapshot")["taken_at"]
    db.call("post_payment", accounts[0].account_id, "1.00", "cash", None, "k-ak-w1", "staff:test")
    return accounts, taken


def test_the_aging_report_kept_by_the_job(manager_client, aging_kept, billing_db, monkeypatch):
    """While the report the 5-minute job kept (refresh_aging_snapshot) is of today and at most
    15 minutes old, the page, its filters, pages and exports show it as taken, and say when;
    "Add up the figures now" (live=1) reads v_report_aging, and so do its filters and exports;
    16 minutes old, the page reads it live again."""
    from billing.views import reports
    accounts, taken = aging_kept
    url = reverse("billing:report_aging")
    kept = billing_db.rows("SELECT * FROM v_staff_aging_kept ORDER BY total_open DESC, account_id")
    live = billing_db.rows("SELECT * FROM v_report_aging ORDER BY total_open DESC, account_id")
    assert [k["account_id"] for k in kept] == [a.account_id for a in accounts]
    assert live[0]["total_open"] == kept[0]["total_open"] - 1
    r = manager_client.get(url)
    body = text(r)
    assert f"Figures as of {formatting.when(taken)}." in body, body
    assert 'href="?live=1">Add up the figures now' in r.content.decode()
    assert [x.account_id for x in r.context["page"]] == [a.account_id for a in accounts]
    assert formatting.money(kept[0]["total_open"], credit=False) in body
    assert formatting.money(live[0]["total_open"], credit=False) not in body
    total = sum(k["total_open"] for k in kept)
    assert "All accounts (3 rows)" in body and formatting.money(total, credit=False) in body
    # a filter's rows and totals, as kept
    r = manager_client.get(url, {"tariff": "RES"})
    assert [x.account_id for x in r.context["page"]] == [accounts[0].account_id,
                                                        accounts[2].account_id]
    res = kept[0]["total_open"] + kept[2]["total_open"]
    assert "All accounts (2 rows)" in text(r) and formatting.money(res, credit=False) in text(r)
    r = manager_client.get(url, {"tariff": "BIZ", "overdue_only": "on"})
    assert [x.account_id for x in r.context["page"]] == [accounts[1].account_id]
    # one row a page: page 2 is the second of the kept order, with a filter or without
    monkeypatch.setattr(reports, "PER_PAGE", 1)
    for query, want in (({"page": "2"}, accounts[1]), ({"page": "2", "tariff": "RES"}, accounts[2]),
                        ({"page": "last", "overdue_only": "on"}, accounts[2])):
        page = manager_client.get(url, query).context["page"]
        assert [x.account_id for x in page] == [want.account_id], query
    monkeypatch.setattr(reports, "PER_PAGE", 50)
    # the export is the kept report too
    rows = csv_rows(manager_client.get(url, {"format": "csv"}))
    assert [row[-1] for row in rows[1:]] == [str(k["total_open"]) for k in kept]
    # the figures now: the page, its filter and its export say so and keep live=1
    r = manager_client.get(url, {"live": "1", "tariff": "RES"})
    body = text(r)
    assert "Figures now" in body and "Figures as of" not in body
    assert formatting.money(live[0]["total_open"], credit=False) in body
    html = r.content.decode()
    assert 'name="live" value="1"' in html                      # the filter form keeps it
    assert re.search(r'href="\?[^"]*live=1[^"]*format=csv"', html)   # and the export links
    assert 'href="?tariff=RES">Back to the report taken every 5 minutes' in html
    rows = csv_rows(manager_client.get(url, {"format": "csv", "live": "1"}))
    assert [row[-1] for row in rows[1:]] == [str(x["total_open"]) for x in live]
    # 16 minutes old: the live report, without a word about kept figures
    billing_db.execute("UPDATE aging_snapshot SET taken_at = NOW() - INTERVAL 16 MINUTE")
    body = text(manager_client.get(url))
    assert "Figures as of" not in body and "Figures now" not in body
    assert formatting.money(live[0]["total_open"], credit=False) in body
