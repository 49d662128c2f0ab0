"""The reports (billing/views/reports.py) on the demo data (bin/demo-data: a year made with the
procedures): each totals row equals the sum of the report's rows and the SUM of the view it
reads; filters select what SQL's WHERE selects; pages of 50 keep the filters; CSV and XLSX have
the same columns and rows (the XLSX read back with openpyxl)."""
import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse


pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

# report -> (view, {CSV column: view column} of the summed columns)
REPORTS = {
    "aging": ("v_report_aging", {"Not due yet": "not_due", "1–30 days": "d1_30",
                                 "31–60 days": "d31_60", "61–90 days": "d61_90",
                                 "Over 90 days": "d90_plus", "Total open": "total_open"}),
    "collections": ("v_report_collections", {"Payments": "payments", "Amount": "amount",
                                             "Reversed later": "reversed_payments",
                                             "Amount reversed": "reversed_amount"}),
    "revenue": ("v_report_revenue", {"Bills": "bills", "Consumption (kWh)": "consumption_kwh",
                                     "Energy": "energy_charge", "Fixed charges": "fixed_charge",
                                     "Discounts": "discount_amount", "Tax": "tax_amount",
                                     "Late fees": "late_fee", "Rebates": "rebate_amount",
                                     "Total billed": "total_billed"}),
    "consumption": ("v_report_consumption", {"Meters": "meters", "Readings": "readings",
                                             "Consumption (kWh)": "consumption_kwh",
                                             "In review": "in_review"}),
}


def number(text):
    """A figure as the page shows it (€1,234.50, -€3.00, 2,360, 45.16) -> Decimal."""
    t = text.replace("€", "").replace(",", "").strip()
    return Decimal(t) if t else None


def csv_table(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[0], rows[1:]


def xlsx_table(response):
    assert response.status_code == 200
    assert response["Content-Type"] == ("application/vnd.openxmlformats-officedocument."
                                        "spreadsheetml.sheet")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:], ws


def page_totals(response):
    """The totals row of the page: {column label: text}."""
    html = response.content.decode()
    heads = [re.sub(r"<[^>]+>", "", h).strip()
             for h in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>",
                                 html.split('<table class="report')[1].split("</thead>")[0])]
    foot = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                   foot, re.S)]
    return dict(zip(heads, cells))


@pytest.fixture
def manager_client(client):
    """A manager's client that leaves the billing schema alone: the web fixtures' own
    (`django_user_model`) request `db`, which empties it before every test."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    user = get_user_model().objects.create_user(username="max", password="x", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="manager")[0])
    client.force_login(user)
    return client


def test_every_report_total_is_the_sum_of_its_rows_and_of_its_view(manager_client, demo):
    for name, (view, summed) in REPORTS.items():
        url = reverse(f"billing:report_{name}")
        header, rows = csv_table(manager_client.get(url + "?format=csv"))
        assert len(rows) == demo.value(f"SELECT COUNT(*) FROM {view}") > 3, name
        shown = page_totals(manager_client.get(url))
        sums = demo.row(f"SELECT {', '.join(f'SUM({c}) AS {c}' for c in summed.values())} "
                        f"FROM {view}")
        first = header[0]
        assert shown[first].endswith(f"({len(rows):,} rows)"), (name, shown[first])
        for label, column in summed.items():
            i = header.index(label)
            of_rows = sum((Decimal(r[i]) for r in rows), Decimal(0))
            assert of_rows == sums[column] == number(shown[label]), (name, label)
        # the XLSX: the same columns and rows, numbers as numbers
        x_header, x_rows, _ = xlsx_table(manager_client.get(url + "?format=xlsx"))
        assert x_header == header and len(x_rows) == len(rows)
        for label in summed:
            i = header.index(label)
            assert [Decimal(str(r[i])) for r in x_rows] == [Decimal(r[i]) for r in rows]
            assert all(isinstance(r[i], (int, float)) for r in x_rows)


def test_pages_of_fifty_keep_the_filters(manager_client, demo):
    url = reverse("billing:report_collections")
    method = demo.value("SELECT method FROM v_report_collections GROUP BY method "
                        "ORDER BY COUNT(*) DESC, method LIMIT 1")
    n = demo.value("SELECT COUNT(*) FROM v_report_collections WHERE method = %s", method)
    assert n > 50
    first = manager_client.get(url + f"?method={method}").content.decode()
    assert first.count('<tr><td class="nowrap">') == 50
    assert f"?method={method}&amp;page=2#rows" in first and f"({n} in all)" in first
    second = manager_client.get(url + f"?method={method}&page=2").content.decode()
    assert second.count('<tr><td class="nowrap">') == min(50, n - 50)
    expected = demo.rows("SELECT day, cashier FROM v_report_collections WHERE method = %s "
                         "ORDER BY day DESC, cashier, method LIMIT 50 OFFSET 50", method)
    from billing.formatting import day
    assert [day(r["day"]) for r in expected] == re.findall(
        r'<tr><td class="nowrap">([^<]+)</td>', second)
    # the exports of a filtered page: every row of the selection
    _, rows = csv_table(manager_client.get(url + f"?method={method}&page=2&format=csv"))
    assert len(rows) == n


def test_filters_select_what_sql_selects(manager_client, demo):
    day = demo.row("SELECT day, cashier, method FROM v_report_collections "
                   "ORDER BY payments DESC, day LIMIT 1")
    start = day["day"].replace(day=1)
    q = (f"?date_from={start}&date_to={day['day']}&method={day['method']}"
         f"&cashier={day['cashier']}")
    header, rows = csv_table(manager_client.get(reverse("billing:report_collections")
                                                + q + "&format=csv"))
    want = demo.rows("SELECT day, amount FROM v_report_collections WHERE day BETWEEN %s AND %s "
                     "AND method = %s AND cashier = %s ORDER BY day DESC",
                     start, day["day"], day["method"], day["cashier"])
    assert [(r[0], r[4]) for r in rows] == [(str(w["day"]), str(w["amount"])) for w in want]
    shown = page_totals(manager_client.get(reverse("billing:report_collections") + q))
    assert number(shown["Amount"]) == sum(w["amount"] for w in want)

    months = [r["period"] for r in demo.rows("SELECT DISTINCT period FROM v_report_revenue "
                                             "ORDER BY period")]
    lo, hi = months[2], months[5]
    _, rows = csv_table(manager_client.get(reverse("billing:report_revenue")
                                           + f"?month_from={lo}&month_to={hi}&tariff=SMB"
                                           "&format=csv"))
    assert [(r[0], r[1]) for r in rows] == [
        (r["period"], "SMB") for r in demo.rows(
            "SELECT period FROM v_report_revenue WHERE period BETWEEN %s AND %s "
            "AND tariff_code = 'SMB' ORDER BY period DESC", lo, hi)]
    assert 0 < len(rows) < demo.value("SELECT COUNT(*) FROM v_report_revenue "
                                      "WHERE tariff_code = 'SMB'")

    _, rows = csv_table(manager_client.get(reverse("billing:report_consumption")
                                           + f"?month_from={hi}&tariff=RES&format=csv"))
    assert {r[2] for r in rows} == {"RES"} and min(r[0] for r in rows) == hi

    _, rows = csv_table(manager_client.get(reverse("billing:report_aging")
                                           + "?overdue_only=on&format=csv"))
    assert len(rows) == demo.value("SELECT COUNT(*) FROM v_report_aging WHERE overdue > 0") > 0
    assert all(Decimal(r[-1]) > Decimal(r[4]) for r in rows)      # total open > not due


def test_a_bad_filter_is_shown_and_not_applied(manager_client, demo):
    r = manager_client.get(reverse("billing:report_revenue") + "?month_from=2026-13")
    html = r.content.decode()
    # the month number is what is wrong, and the page says so (found by a walk of the forms)
    assert r.status_code == 200 and "There is no month 13: give a month as YYYY-MM" in html
    assert page_totals(r)["Period"].endswith(
        f"({demo.value('SELECT COUNT(*) FROM v_report_revenue'):,} rows)")
    r = manager_client.get(reverse("billing:report_collections")
                           + "?date_from=2026-03-01&date_to=2026-02-01")
    assert "The end comes before the start." in r.content.decode()
