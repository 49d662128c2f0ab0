"""A bill whose Charges table runs over a page break prints every row whole on one page (its item,
kWh, rate and amount together) and its totals once, after the last row.

Found by an outside review of 85 bill PDFs: in 14, page 2 ended with the first charge row and the
repeated tfoot ("Total / Paid / Still open"), and the first row was split: its rate started the
next page on a row without its item. The cure is CSS (portal/_print_style.html): rows do not
break inside, the tfoot prints as an ordinary row group (once, at the end), the thead repeats.

The bill: a tariff of 15 blocks with a new version from the 11th day of the period, so the bill has
two segments of 15 energy lines, two fixed charges and the tax: 33 rows, longer than a page. The
addressee's address has 1, then 7 to 9 lines (the address block keeps its height up to about 6),
which moves the table down by a line each time, so that the page break falls at several places in
the table. What is compared is the PDF's text, page by page (pdftotext), against the rows of the
same template rendered as HTML (the print page)."""
import datetime as dt
import html
import re
import subprocess

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

# pdftotext comes with poppler-utils, which `make test` installs (bin/install-deps --browser):
# without it the test fails, as a test that cannot run must
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
A = "staff:clara"
BLOCKS = [(10, "0.1010"), (30, "0.1020"), (60, "0.1030"), (100, "0.1040"), (150, "0.1050"),
          (210, "0.1060"), (280, "0.1070"), (360, "0.1080"), (450, "0.1090"), (550, "0.1100"),
          (660, "0.1110"), (780, "0.1120"), (910, "0.1130"), (1050, "0.1140"), (None, "0.1150")]


def version(effective_from, bump):
    return dict(effective_from=str(effective_from), fixed_charge=f"{5 + bump}.00",
                tax_rate_pct="10", late_fee_pct="0", early_pay_pct="0", early_pay_days=0,
                blocks=[(up_to, f"{float(r) + bump / 100:.4f}") for up_to, r in BLOCKS])


@pytest.fixture
def long_bill(billing_db, client):
    db = billing_db
    today = db.value("SELECT CURRENT_DATE")
    t = (lambda n: today + dt.timedelta(days=n))
    tariff = make_tariff(db, versions=[version("2000-01-01", 0), version(t(-25), 1)])
    acc = make_metered_account(db, tariff_code=tariff.code, opened_on=t(-35), initial_read=1000)
    db.call("record_reading", acc.serial, t(-6), 2500, "field", A)
    bill_id = db.call("bill_account", acc.account_id, t(-35), t(-6), t(-5), 14, A)["bill_id"]
    assert bill_id
    create_customer_login(acc.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=acc.customer_id).user)
    acc.bill_id = bill_id
    return acc


def cell_text(fragment):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def rows_of(page_html):
    """(item, rate, amount) of every charge row of the bill's print page, as printed."""
    body = page_html.split('class="lines ', 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r'<tr class="line-[^"]*">(.*?)</tr>', body, re.S):
        cells = [cell_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows.append((cells[0], cells[2], cells[3]))
    return rows


def pages_of(pdf, tmp_path):
    path = tmp_path / "bill.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [re.sub(r"\s+", " ", p) for p in text.split("\f") if p.strip()]


def shortest_unique_prefixes(items):
    """For each item, its first words (at least 3), as few as make it unique among the items:
    what is certainly on the first printed line of the item, even when the item wraps."""
    out = []
    for item in items:
        words = item.split()
        for n in range(min(3, len(words)), len(words) + 1):
            prefix = " ".join(words[:n])
            if sum(1 for other in items if other.startswith(prefix)) == 1:
                break
        out.append(prefix)
    return out


@pytest.mark.parametrize("address_lines", [1, 7, 8, 9])
def test_charge_rows_are_whole_on_a_page_and_the_totals_print_once(long_bill, billing_db,
                                                                  client, tmp_path,
                                                                  address_lines):
    db = billing_db
    db.call("update_customer", long_bill.customer_id, "Grace Hopper", "grace@example.org", None,
            "\n".join(f"{n} Compiler Row" for n in range(1, address_lines + 1)), A)
    rows = rows_of(client.get(reverse("portal:bill_print", args=[long_bill.bill_id]))
                   .content.decode())
    assert len(rows) == 33
    pages = pages_of(client.get(reverse("portal:bill_pdf", args=[long_bill.bill_id])).content,
                     tmp_path)
    starts = shortest_unique_prefixes([item for item, _, _ in rows])
    found = []                      # (page, position) of each row's item, in the table's order
    for prefix in starts:
        where = [(n, p.find(prefix)) for n, p in enumerate(pages) if prefix in p]
        assert len(where) == 1, f"{prefix!r} printed on pages {[n + 1 for n, _ in where]}"
        found.append(where[0])
    assert len({n for n, _ in found}) > 1, "the table should run over a page break"
    for i, ((item, rate, amount), (page, pos)) in enumerate(zip(rows, found)):
        text = pages[page]
        end = (found[i + 1][1] if i + 1 < len(found) and found[i + 1][0] == page
               else text.find("Total", pos))
        segment = text[pos:end if end >= 0 else len(text)]
        for figure in (rate.split()[0] if rate else None, amount):
            if figure:
                assert figure in segment, (
                    f"row {i + 1} ({item!r}): {figure} is not with its item on page {page + 1}: "
                    f"{segment!r}")
    whole = " ".join(pages)
    assert whole.count("Still open") == 1, "the totals print once, after the last row"
    assert whole.index("Still open") > whole.index(starts[-1])


def test_the_receipt_pdf_prints_no_caption_meant_for_screen_readers(billing_db, client,
                                                                    tmp_path):
    """The receipt's table of bills has a caption for screen readers ("Bills paid by this payment
    when it was received"), visually hidden on the page; the PDF printed it as visible text (its
    style had no visually-hidden). Now hidden on both: the heading above the table says it."""
    ada = make_portal_customer(billing_db)
    pid = billing_db.call("post_payment", ada.account_id, "50.00", "cash", None, "caption-50",
                          A)["payment_id"]
    create_customer_login(ada.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    caption = "Bills paid by this payment when it was received"
    page = client.get(reverse("portal:payment_detail", args=[pid])).content.decode()
    assert f'<caption class="visually-hidden">{caption}</caption>' in page
    text = " ".join(pages_of(client.get(reverse("portal:payment_pdf", args=[pid])).content,
                             tmp_path))
    assert "What this payment paid" in text and "Kept as credit" in text
    assert caption not in text
