"""The cashier's pages at scale (issue 24 §4): the day's collections and the drawer close list
their payments in pages (a day of bank files has hundreds of thousands), read them by a range of
paid_at (never DATE(paid_at), which no index serves) and show the database's figures, which
count every payment of the day (those on other pages too); the bank files list reads only the
columns it shows."""
import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import formatting
from billing.views import payments as payment_views
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

DAY = "2026-11-20"
# (amount, method, paid_at, cashier): seven payments of DAY (the first and last second of the
# day), and one each on the days around it, which no list of DAY may show
PAYMENTS = (("5.00", "cash", f"{DAY} 00:00:00", "staff:clara"),
            ("2.50", "cash", f"{DAY} 08:00:00", "staff:clara"),
            ("4.00", "cheque", f"{DAY} 09:00:00", "staff:clara"),
            ("1.25", "cash", f"{DAY} 09:30:00", "staff:dan"),
            ("8.00", "card", f"{DAY} 12:00:00", "staff:clara"),
            ("3.10", "cash", f"{DAY} 15:00:00", "staff:dan"),
            ("6.40", "cash", f"{DAY} 23:59:59", "staff:clara"),
            ("9.99", "cash", "2026-11-19 23:59:59", "staff:clara"),
            ("7.77", "cash", "2026-11-21 00:00:00", "staff:clara"))


@pytest.fixture
def day_of_payments(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-CP-1",
                             opened_on="2026-01-01")
    with billing_db.at("2026-11-21 12:00:00"):
        ids = [billing_db.call("post_payment", a.account_id, amount, method, paid_at,
                               f"k-{n}", cashier)["payment_id"]
               for n, (amount, method, paid_at, cashier) in enumerate(PAYMENTS)]
        billing_db.call("reverse_payment", ids[2], "cheque bounced", "staff:clara")
    return a


def receipts_of(billing_db, cashier=None):
    """The receipts of DAY (of one cashier) in the pages' order, counted here from v_payments."""
    sql = ("SELECT receipt_no FROM v_payments WHERE DATE(paid_at) = %s"
           + (" AND posted_by = %s" if cashier else "") + " ORDER BY paid_at, payment_id")
    return [r["receipt_no"] for r in billing_db.rows(sql, DAY, *([cashier] if cashier else []))]


def posted_sum(billing_db, cashier=None):
    sql = ("SELECT COUNT(*) AS n, SUM(amount) AS amount FROM v_payments WHERE DATE(paid_at) = %s "
           "AND status = 'posted'" + (" AND posted_by = %s" if cashier else ""))
    return billing_db.row(sql, DAY, *([cashier] if cashier else []))


def receipts_on(page):
    return re.findall(r"R\d{4}-\d+", text(page))


def no_day_function_on_payments(queries):
    return not any("DATE(" in q["sql"].upper() and "V_PAYMENTS" in q["sql"].upper()
                   for q in queries)


def test_the_days_collections_come_in_pages_with_the_days_totals(staff_client, day_of_payments,
                                                                 billing_db, monkeypatch):
    monkeypatch.setattr(payment_views.CollectionsTodayView, "PER_PAGE", 3)
    url = reverse("billing:collections_day")
    seen = []
    with CaptureQueriesContext(connections["billing"]) as queries:
        for number in (1, 2, 3):
            page = staff_client.get(url, {"day": DAY, "page": number})
            words = text(page)
            assert f"Page {number} of 3 (7 in all)" in words
            # the totals are the whole day's, on every page
            total = posted_sum(billing_db)
            assert f"Day's total {total['n']} {formatting.money(total['amount'])}" in words
            seen += receipts_on(page)
    assert total["n"] == 6 and str(total["amount"]) == "26.25"
    assert seen == receipts_of(billing_db) and len(seen) == 7
    assert no_day_function_on_payments(queries.captured_queries)
    # the pager's count is the day's figures', not a COUNT of the day's payments
    assert not any("COUNT(" in q["sql"].upper() and "V_PAYMENTS" in q["sql"].upper()
                   for q in queries.captured_queries)
    last = staff_client.get(url, {"day": DAY, "page": "last"})
    assert receipts_on(last) == receipts_of(billing_db)[6:]
    empty = text(staff_client.get(url, {"day": "2026-11-18"}))
    assert "No payments on this day." in empty and "Page 1 of" not in empty


def test_the_drawer_close_gives_the_recount_and_pages_the_cashiers_payments(
        staff_client, day_of_payments, billing_db, monkeypatch):
    monkeypatch.setattr(payment_views.DrawerCloseView, "PER_PAGE", 2)
    url = reverse("billing:drawer_close")
    recount = billing_db.rows("SELECT method, payments, amount, reversed_payments, "
                              "reversed_amount FROM v_report_collections_recount "
                              "WHERE day = %s AND cashier = 'staff:clara' ORDER BY method",
                              DAY)
    seen = []
    with CaptureQueriesContext(connections["billing"]) as queries:
        for number in (1, 2, 3):
            page = staff_client.get(url, {"day": DAY, "page": number})   # the user's own drawer
            words = text(page)
            assert "Drawer close staff:clara" in words and f"Page {number} of 3 (5 in all)" in words
            for r in recount:
                if r["payments"]:
                    assert (f"{formatting.method_label(r['method'])} {r['payments']} "
                            f"{formatting.money(r['amount'])}") in words
            total = posted_sum(billing_db, "staff:clara")
            assert f"Total {total['n']} {formatting.money(total['amount'])}" in words
            assert ("1 payment of this day reversed since (" + formatting.money(
                sum(r["reversed_amount"] for r in recount)) + ")") in words
            seen += receipts_on(page)
    assert str(total["amount"]) == "21.90"
    assert seen == receipts_of(billing_db, "staff:clara") and len(seen) == 5
    assert no_day_function_on_payments(queries.captured_queries)
    dan = staff_client.get(url, {"day": DAY, "cashier": "staff:dan"})
    assert receipts_on(dan) == receipts_of(billing_db, "staff:dan")
    assert "Total 2 " + formatting.money(posted_sum(billing_db, "staff:dan")["amount"]) in text(dan)


def test_the_bank_files_list_reads_only_the_columns_it_shows(billing_admin_client, billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-CP-2",
                             opened_on="2026-01-01")
    no = billing_db.value("SELECT account_no FROM account WHERE account_id = %s", a.account_id)
    lines = ('[{"account_no": "%s", "amount": "10.00", "method": "bank_transfer", '
             '"paid_at": null, "key": "bank:1"}, {"account_no": "A0", "amount": "2.00", '
             '"method": "bank_transfer", "paid_at": null, "key": "bank:2"}]' % no)
    batch = billing_db.call("stage_payment_batch", "bank-7.csv", lines, "staff:bea")["batch_id"]
    billing_db.call("post_payment_batch", batch, "staff:bea")
    with CaptureQueriesContext(connections["billing"]) as queries:
        page = billing_admin_client.get(reverse("billing:bankfile_list"))
    words = text(page)
    assert f"Batch {batch} bank-7.csv" in words and "€10.00" in words
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "v_staff_payment_batch" in sql
    assert "unknown_account_lines" not in sql and "closed_account_lines" not in sql


def csv_rows(response):
    import csv
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(body.splitlines()))


def test_every_payment_of_the_day_or_of_a_drawer_downloads_as_csv(
        staff_client, day_of_payments, billing_db, monkeypatch):
    """The pages print one page of payments; the CSV holds every one of them, in the pages'
    order, read a chunk at a time (here 2, with payments of the same second across chunks)."""
    from billing import selectors

    monkeypatch.setattr(selectors, "PAYMENTS_EXPORT_CHUNK", 2)
    monkeypatch.setattr(payment_views.DrawerCloseView, "PER_PAGE", 2)
    with billing_db.at("2026-11-21 12:00:00"):
        for n in range(3):                                  # three payments of the same second
            billing_db.call("post_payment", day_of_payments.account_id, "1.00", "cheque",
                            f"{DAY} 12:00:00", f"k-tie-{n}", "staff:clara")
    url = reverse("billing:collections_day")
    rows = csv_rows(staff_client.get(url, {"day": DAY, "format": "csv"}))
    assert rows[0] == ["Receipt", "Paid at", "Account", "Cashier", "Method", "Reference",
                       "Amount", "Status"]
    assert [r[0] for r in rows[1:]] == receipts_of(billing_db) and len(rows) == 11
    want = billing_db.rows("SELECT receipt_no, paid_at, posted_by, method, amount, status "
                           "FROM v_payments WHERE DATE(paid_at) = %s ORDER BY paid_at, payment_id",
                           DAY)
    account_no = billing_db.value("SELECT account_no FROM account WHERE account_id = %s",
                                  day_of_payments.account_id)
    assert rows[1:] == [[w["receipt_no"], str(w["paid_at"]), account_no, w["posted_by"],
                         w["method"], "", str(w["amount"]), w["status"]] for w in want]
    drawer = reverse("billing:drawer_close")
    clara = csv_rows(staff_client.get(drawer, {"day": DAY, "format": "csv"}))
    assert [r[0] for r in clara[1:]] == receipts_of(billing_db, "staff:clara")
    assert len(clara) == 9 and {r[3] for r in clara[1:]} == {"staff:clara"}
    dan = csv_rows(staff_client.get(drawer, {"day": DAY, "cashier": "staff:dan", "format": "csv"}))
    assert [r[0] for r in dan[1:]] == receipts_of(billing_db, "staff:dan")
    one_page = text(staff_client.get(drawer, {"day": DAY, "cashier": "staff:dan"}))
    assert "Download these payments (CSV)" in one_page and "printout" not in one_page
    page = text(staff_client.get(drawer, {"day": DAY}))
    assert "A printout holds the page shown. Download all 8 payments (CSV)" in page
    none = csv_rows(staff_client.get(url, {"day": "2026-11-18", "format": "csv"}))
    assert len(none) == 1
