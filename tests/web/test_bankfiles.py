"""Back office, bank files (issue 24 §2; billing/views/bankfiles.py): upload a CSV, the preview
of the staged batch, post, the result with receipts and refusals, the refused lines as CSV,
posting again, the list, the audit trail, and who may do what."""
import csv
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing import bank_import
from helpers.factories import make_metered_account, make_tariff

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

HEADER = "account_no,amount,method,paid_at,key\r\n"


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def upload(client, content, name="bank-2026-11-29.csv", batch_ref=""):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(reverse("billing:bankfile_upload"),
                       {"file": SimpleUploadedFile(name, data, content_type="text/csv"),
                        "batch_ref": batch_ref})


@pytest.fixture
def accs(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-BF-1", opened_on="2026-01-01")
    b = make_metered_account(billing_db, tariff_code="RES", serial="SN-BF-2", opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-BF-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                    "staff:test")
    return a, b


def good_file(a, b):
    return (HEADER
            + f"{a.account_no},10.00,bank_transfer,2026-11-28 09:30:00,bank:1\r\n"
            + f"{a.account_no},5.50,bank_transfer,2026-11-28,bank:2\r\n"
            + f"{b.account_no},20,cheque,,bank:3\r\n"
            + "A99999999,7.00,bank_transfer,2026-11-28,bank:4\r\n"
            + f"{b.account_no},12.345,bank_transfer,2026-11-28,bank:5\r\n")


def test_a_good_file_is_staged_and_previewed_from_the_views(billing_admin_client, accs,
                                                            billing_db):
    a, b = accs
    r = upload(billing_admin_client, good_file(a, b))
    batch = billing_db.row("SELECT batch_id, batch_ref, status, created_by FROM payment_batch")
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:bankfile_detail", args=[batch["batch_id"]])
    assert batch["batch_ref"] == "bank-2026-11-29.csv" and batch["status"] == "open"
    assert batch["created_by"] == "staff:bea"
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 0          # nothing posted yet
    staged = billing_db.rows("SELECT line_no, account_no, amount, method, paid_at, "
                             "idempotency_key FROM v_payment_batch_lines ORDER BY line_no")
    assert [s["line_no"] for s in staged] == [1, 2, 3, 4, 5]
    assert staged[2]["paid_at"] is None and staged[2]["amount"] == "20"   # empty cell: NULL
    assert staged[4]["amount"] == "12.345" and staged[0]["idempotency_key"] == "bank:1"
    page = billing_admin_client.get(r["Location"])
    t = text(page)
    assert f"Staged 5 lines as batch {batch['batch_id']}" in t
    assert "Preview" in t and "Post this batch (5 lines)" in t
    # the file's total (valid amounts only: 10.00 + 5.50 + 20 + 7.00) as the view computed it
    total = billing_db.value("SELECT amount_total FROM v_staff_payment_batch")
    assert str(total) == "42.50"
    assert "42.50" in t
    assert "1 line with an unknown account number (will be refused)" in t
    assert "1 line without a valid amount (will be refused)" in t
    flagged = page.content.decode().split('id="flagged"')[1].split("</section>")[0]
    assert "A99999999" in flagged and "unknown account" in flagged
    assert "12.345" in flagged and "amount not valid" in flagged
    assert a.account_no not in flagged
    accounts = page.content.decode().split('id="accounts"')[1].split("</section>")[0]
    assert "3 account numbers" in text(page)
    assert reverse("billing:account_detail", args=[a.account_id]) in accounts
    assert "unknown" in accounts
    assert "Cancel leaves the batch open" in t


def test_post_shows_counts_receipts_and_refusals_in_words(billing_admin_client, accs, billing_db):
    a, b = accs
    detail = upload(billing_admin_client, good_file(a, b))["Location"]
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    r = billing_admin_client.post(reverse("billing:bankfile_post", args=[batch_id]))
    assert r.status_code == 302 and r["Location"] == detail
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 3
    assert billing_db.value("SELECT status FROM payment_batch") == "posted"
    assert billing_db.value("SELECT DISTINCT posted_by FROM payment") == "staff:bea"
    page = billing_admin_client.get(detail)
    t = text(page)
    assert f"Batch {batch_id} posted: 3 posted, 0 replayed, 2 refused; " in t
    assert "35.50 posted in all" in t
    assert "Result" in t and "Post this batch" not in t
    receipts = [row["receipt_no"] for row in billing_db.rows(
        "SELECT receipt_no FROM v_payment_batch_lines WHERE outcome = 'posted' ORDER BY line_no")]
    assert len(receipts) == 3 and all(rn in t for rn in receipts)
    pid = billing_db.value("SELECT payment_id FROM v_payment_batch_lines WHERE line_no = 1")
    assert reverse("billing:payment_receipt", args=[pid]) in page.content.decode()
    # refused lines: one sentence each, with what the file has (errors.batch_line_reason); the
    # server's own text only in the log
    assert "There is no account with number \u201cA99999999\u201d." in t
    assert ("The amount \u201c12.345\u201d is not valid: it must be above zero, at most "
            "\u20ac1,000,000.00, with at most two decimals.") in t
    assert "no account with number 'A99999999'" not in t and "12.3450000000" not in t
    only_refused = text(billing_admin_client.get(detail + "?outcome=refused"))
    assert "Lines: refused (2)" in only_refused and receipts[0] not in only_refused


def test_the_refused_lines_download_as_csv_without_formulas(billing_admin_client, accs,
                                                            billing_db):
    a, b = accs
    content = (HEADER + f"{a.account_no},1.00,bank_transfer,2026-11-28,k1\r\n"
               + "=HYPERLINK(\"x\"),2.00,bank_transfer,2026-11-28,k2\r\n"
               + f"{b.account_no},3.00,by pigeon,2026-11-28,@k3\r\n")
    upload(billing_admin_client, content)
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    billing_admin_client.post(reverse("billing:bankfile_post", args=[batch_id]))
    r = billing_admin_client.get(reverse("billing:bankfile_refused_csv", args=[batch_id]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert f'filename="batch-{batch_id}-refused.csv"' in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["account_no", "amount", "method", "paid_at", "key", "line_no", "reason"]
    assert len(rows) == 3
    assert rows[1][0] == "'=HYPERLINK(\"x\")" and rows[1][5] == "2"
    assert rows[1][6] == "There is no account with number \u201c=HYPERLINK(\"x\")\u201d."
    assert rows[2][2] == "by pigeon" and rows[2][4] == "'@k3"
    assert rows[2][6] == ("The payment method \u201cby pigeon\u201d is not one we take: write "
                          "cash, card, cheque, bank_transfer or online.") and len(rows[2]) == 7
    # the file fixed is accepted as an upload (the extra columns are ignored)
    fixed = r.content.decode().replace("by pigeon", "cheque").replace("'@k3", "k3")
    fixed = "\r\n".join(line for line in fixed.split("\r\n") if "HYPERLINK" not in line)
    again = upload(billing_admin_client, fixed, name="fixed.csv")
    assert again.status_code == 302
    assert billing_db.value("SELECT COUNT(*) FROM payment_batch_line WHERE batch_id > %s",
                            batch_id) == 1


def test_posting_again_posts_nothing_twice(billing_admin_client, accs, billing_db):
    a, b = accs
    detail = upload(billing_admin_client, good_file(a, b))["Location"]
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    url = reverse("billing:bankfile_post", args=[batch_id])
    billing_admin_client.post(url)
    snapshot = billing_db.rows("SELECT payment_id, amount FROM payment ORDER BY payment_id")
    lines = billing_db.rows("SELECT line_no, outcome, payment_id FROM payment_batch_line "
                            "ORDER BY line_no")
    page = billing_admin_client.get(detail)
    assert "Post again" in text(page)
    r = billing_admin_client.post(url)
    assert r.status_code == 302
    assert billing_db.rows("SELECT payment_id, amount FROM payment ORDER BY payment_id") == snapshot
    assert billing_db.rows("SELECT line_no, outcome, payment_id FROM payment_batch_line "
                           "ORDER BY line_no") == lines
    t = text(billing_admin_client.get(detail))
    assert "Nothing was posted: every line of this batch had been posted before" in t
    # the same file uploaded again as a new batch: its keys were used, so every line is replayed
    again = upload(billing_admin_client, good_file(a, b), name="again.csv")
    second = billing_db.value("SELECT MAX(batch_id) FROM payment_batch")
    billing_admin_client.post(reverse("billing:bankfile_post", args=[second]))
    assert billing_db.rows("SELECT payment_id, amount FROM payment ORDER BY payment_id") == snapshot
    t = text(billing_admin_client.get(again["Location"]))
    assert "0 posted, 3 replayed, 2 refused" in t and "(paid before)" in t


@pytest.mark.parametrize("content, expected", [
    ("account,amount,method,paid_at,key\r\nA1,1.00,cash,,k\r\n",
     "The first line must be the header account_no,amount,method,paid_at,key (found: "
     "account,amount,method,paid_at,key)"),
    ("A00000001,1.00,cash,,k\r\n", "The first line must be the header"),
    ("", "The file is empty. Download the template to see the format."),
    ("\r\n\r\n", "The first line must be the header account_no,amount,method,paid_at,key "
                 "(found: an empty file)"),
    (HEADER, "The file has a header but no payment lines."),
    (HEADER + "A1,1.00,cash\r\nA2,1.00,cash,,k\r\nA3\r\n",
     "Every line needs 5 fields, like the header. Lines with another number of fields: 2, 4."),
    (HEADER + "A1,1.00,cash,," + "k" * 1001 + "\r\n",
     "A value is longer than 1000 characters on line(s) 2."),
    (("\ufeff" + HEADER + "A1,1.00,cash,,k\r\n").encode("cp1252", errors="ignore")
     + "Müller,1,cash,,k2\r\n".encode("cp1252"),
     "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "The file is not UTF-8 text."),
])
def test_a_malformed_file_is_refused_whole(billing_admin_client, billing_db, content, expected):
    r = upload(billing_admin_client, content)
    assert r.status_code == 200
    assert expected in text(r)
    assert 'id="id_file_error"' in r.content.decode()
    assert billing_db.value("SELECT COUNT(*) FROM payment_batch") == 0


def test_a_value_over_the_csv_modules_own_limit_is_said_as_too_long(billing_admin_client,
                                                                    billing_db):
    """A value over 131,072 characters stops the csv module: the file was "not a CSV text file";
    it is the sentence of any value over 1000 characters."""
    r = upload(billing_admin_client,
               HEADER + "A1,1.00,cash,,k\r\nA2,1.00,cash,," + "k" * 200_000 + "\r\n")
    assert r.status_code == 200
    assert "A value is longer than 1000 characters on line(s) 3." in text(r)
    assert billing_db.value("SELECT COUNT(*) FROM payment_batch") == 0


def test_a_file_over_the_limits_is_refused_saying_the_limit(billing_admin_client, billing_db):
    lines = HEADER + "A00000001,1.00,bank_transfer,,k\r\n" * (bank_import.MAX_LINES + 1)
    r = upload(billing_admin_client, lines)
    assert r.status_code == 200
    assert "The file has more than 10,000 payment lines. Split it into files of at most " \
           "10,000 lines." in text(r)
    big = HEADER + ("A00000001,1.00,bank_transfer,," + "k" * 90 + "\r\n") * 25_000
    assert len(big) > bank_import.MAX_BYTES
    r = upload(billing_admin_client, big)
    assert "The file is larger than 2 MB. Split it into files of at most 10,000 lines." in text(r)
    assert billing_db.value("SELECT COUNT(*) FROM payment_batch") == 0
    # at the limit: accepted
    ok = HEADER + "".join(f"A{i:08d},1.00,bank_transfer,,k{i}\r\n"
                          for i in range(bank_import.MAX_LINES))
    assert upload(billing_admin_client, ok).status_code == 302
    assert billing_db.value("SELECT COUNT(*) FROM payment_batch_line") == bank_import.MAX_LINES


def test_a_large_file_is_staged_in_chunks_into_one_batch(billing_admin_client, billing_db,
                                                         monkeypatch):
    monkeypatch.setattr(bank_import, "CHUNK_LINES", 2)
    content = HEADER + "".join(f"A{i:08d},{i}.00,bank_transfer,,k{i}\r\n" for i in range(1, 6))
    r = upload(billing_admin_client, content, batch_ref="lockbox 29 Nov")
    assert r.status_code == 302
    assert billing_db.value("SELECT COUNT(*) FROM payment_batch") == 1
    assert [x["line_no"] for x in billing_db.rows(
        "SELECT line_no FROM payment_batch_line ORDER BY line_no")] == [1, 2, 3, 4, 5]
    assert billing_db.value("SELECT batch_ref FROM payment_batch") == "lockbox 29 Nov"
    assert billing_db.value("SELECT COUNT(*) FROM audit_log "
                            "WHERE action = 'payment_batch_staged'") == 3


def test_an_open_batch_of_the_same_name_is_not_appended_to(billing_admin_client, accs,
                                                           billing_db):
    a, b = accs
    upload(billing_admin_client, good_file(a, b))
    r = upload(billing_admin_client, good_file(a, b))
    assert r.status_code == 200
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    assert (f"An open batch named “bank-2026-11-29.csv” exists already (batch {batch_id})"
            in text(r))
    assert billing_db.value("SELECT COUNT(*) FROM payment_batch_line") == 5


def test_the_list_shows_batches_newest_first_and_the_template(billing_admin_client, accs,
                                                              billing_db):
    a, b = accs
    upload(billing_admin_client, good_file(a, b), name="first.csv")
    upload(billing_admin_client, good_file(a, b), name="second.csv")
    first, second = [x["batch_id"] for x in billing_db.rows(
        "SELECT batch_id FROM payment_batch ORDER BY batch_id")]
    billing_admin_client.post(reverse("billing:bankfile_post", args=[first]))
    page = billing_admin_client.get(reverse("billing:bankfile_list")).content.decode()
    assert page.index("second.csv") < page.index("first.csv")
    assert reverse("billing:bankfile_detail", args=[second]) in page
    assert reverse("billing:bankfile_upload") in page
    template = billing_admin_client.get(reverse("billing:bankfile_template"))
    assert template.status_code == 200
    assert 'filename="bank-file-template.csv"' in template["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(template.content.decode())))
    assert rows[0] == list(bank_import.COLUMNS) and len(rows) == 2
    # the template's header is what the upload wants
    assert bank_import.read_lines(template.content)[0]["method"] == "bank_transfer"


def test_each_batch_is_in_the_audit_trail_with_a_link(billing_admin_client, accs, billing_db):
    a, b = accs
    upload(billing_admin_client, good_file(a, b))
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    billing_admin_client.post(reverse("billing:bankfile_post", args=[batch_id]))
    page = billing_admin_client.get(reverse("billing:audit") + "?what=payment_batch")
    html = page.content.decode()
    assert html.count(reverse("billing:bankfile_detail", args=[batch_id])) == 2
    assert "payment_batch_staged" in html and "payment_batch_posted" in html


def test_a_clerk_is_refused_and_a_manager_only_reads(client, staff_client, accs, billing_db,
                                                     django_user_model):
    a, b = accs
    billing_db.call("stage_payment_batch", "x.csv",
                    f'[{{"account_no": "{a.account_no}", "amount": "1.00", '
                    f'"method": "cash", "key": "c1"}}]', "staff:test")
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    urls = [reverse("billing:bankfile_list"), reverse("billing:bankfile_upload"),
            reverse("billing:bankfile_template"),
            reverse("billing:bankfile_detail", args=[batch_id]),
            reverse("billing:bankfile_refused_csv", args=[batch_id])]
    for url in urls:
        assert staff_client.get(url).status_code == 403, url
    assert staff_client.post(reverse("billing:bankfile_post", args=[batch_id])).status_code == 403
    assert upload(staff_client, good_file(a, b), name="clerk.csv").status_code == 403
    assert "Bank files" not in text(staff_client.get(reverse("billing:home")))
    staff_client.logout()
    from django.contrib.auth.models import Group
    manager = django_user_model.objects.create_user(username="max", password="x", is_staff=True)
    manager.groups.add(Group.objects.get(name="manager"))
    client.force_login(manager)
    assert client.get(reverse("billing:bankfile_detail", args=[batch_id])).status_code == 200
    assert "Post this batch" not in text(client.get(
        reverse("billing:bankfile_detail", args=[batch_id])))
    assert client.get(reverse("billing:bankfile_upload")).status_code == 403
    assert client.post(reverse("billing:bankfile_post", args=[batch_id])).status_code == 403
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 0
    assert client.get(reverse("billing:bankfile_detail", args=[batch_id + 1])).status_code == 404


def test_a_posting_stopped_by_a_lock_says_so_and_posting_again_finishes(
        billing_admin_client, accs, billing_db, django_db_blocker):
    """A lock wait timeout (another session holds the batch) after services' attempts: the page
    says the posting stopped, nothing was posted twice, and posting again finishes the batch."""
    from django.db import connections
    a, b = accs
    detail = upload(billing_admin_client, good_file(a, b))["Location"]
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    with connections["billing"].cursor() as cur:        # the web's own connection (same thread)
        cur.execute("SET SESSION innodb_lock_wait_timeout = 1")
    billing_db.execute("START TRANSACTION")
    billing_db.execute("SELECT batch_id FROM payment_batch WHERE batch_id = %s FOR UPDATE",
                       batch_id)
    try:
        r = billing_admin_client.post(reverse("billing:bankfile_post", args=[batch_id]))
    finally:
        billing_db.execute("ROLLBACK")
    assert r.status_code == 302 and r["Location"] == detail
    assert "The posting stopped before the end" in text(billing_admin_client.get(detail))
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 0
    billing_admin_client.post(reverse("billing:bankfile_post", args=[batch_id]))
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 3
    assert billing_db.value("SELECT status FROM payment_batch") == "posted"


def test_a_line_without_an_account_number_is_flagged_and_refused(billing_admin_client, accs,
                                                                 billing_db):
    from django.core.management import call_command
    call_command("check")                  # the views' models pass Django's checks
    a, _ = accs
    detail = upload(billing_admin_client, HEADER + ",3.00,cash,,k-none\r\n"
                    + f"{a.account_no},1.00,cash,,k-a\r\n")["Location"]
    t = text(billing_admin_client.get(detail))
    assert "1 line with an unknown account number (will be refused)" in t
    assert "(empty) unknown" in t and "2 account numbers" in t
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    billing_admin_client.post(reverse("billing:bankfile_post", args=[batch_id]))
    t = text(billing_admin_client.get(detail + "?outcome=refused"))
    assert "The line has no account number." in t and "account_no is required" not in t


def test_the_refused_lines_uploaded_again_are_the_same_lines(billing_admin_client, accs,
                                                             billing_db):
    """The refused CSV defuses formulas ("'-2.00", "'=k2"); uploaded again (as
    docs/backoffice.md says it may be, after fixing) it gives back the same accounts, amounts
    and keys: the upload undoes exactly the export's "'" (csv_export.unquote_cell)."""
    a, b = accs
    content = (HEADER + f"{a.account_no},-2.00,cash,2026-11-28,-k1\r\n"
               + "=A1,3.00,cash,2026-11-28,=k2\r\n"
               + f"{b.account_no},+4.00,by pigeon,2026-11-28,+k3\r\n"
               + f"{b.account_no},5.00,by pigeon,,@k4\r\n"
               + f"{b.account_no},6.00,by pigeon,,'k5\r\n")
    upload(billing_admin_client, content)
    first = billing_db.value("SELECT batch_id FROM payment_batch")
    billing_admin_client.post(reverse("billing:bankfile_post", args=[first]))
    refused = billing_admin_client.get(reverse("billing:bankfile_refused_csv", args=[first]))
    text_ = refused.content.decode()
    assert "'-2.00" in text_ and "'=k2" in text_ and "'+k3" in text_ and "'@k4" in text_
    again = upload(billing_admin_client, text_, name="again.csv")
    assert again.status_code == 302
    second = billing_db.value("SELECT MAX(batch_id) FROM payment_batch")
    columns = ("line_no, account_no, amount, method, paid_at, idempotency_key")
    lines = [billing_db.rows(f"SELECT {columns} FROM v_payment_batch_lines WHERE batch_id = %s "
                             "ORDER BY line_no", batch) for batch in (first, second)]
    assert lines[1] == lines[0] and len(lines[0]) == 5
    assert [line["idempotency_key"] for line in lines[1]] == ["-k1", "=k2", "+k3", "@k4", "'k5"]
    assert lines[1][0]["amount"] == "-2.00" and lines[1][1]["account_no"] == "=A1"


REFUSALS = [
    # (amount, method, paid_at, key, the sentence the page and the CSV give)
    ("-5", "cash", "2026-11-28", "r1",
     "The amount \u201c-5\u201d is not valid: it must be above zero, at most \u20ac1,000,000.00, "
     "with at most two decimals."),
    ("0", "cash", "2026-11-28", "r2", "The amount \u201c0\u201d is not valid"),
    ("abc", "cash", "2026-11-28", "r3", "The amount \u201cabc\u201d is not a number"),
    ("", "cash", "2026-11-28", "r4", "The line has no amount."),
    ("1.00", "by pigeon", "2026-11-28", "r5",
     "The payment method \u201cby pigeon\u201d is not one we take"),
    ("1.00", "", "2026-11-28", "r6", "The line has no payment method"),
    ("1.00", "cash", "2999-01-01", "r7", "The payment date 1 Jan 2999, 00:00 is after the batch "
                                         "was posted ("),
    ("1.00", "cash", "yesterday", "r8", "The payment date \u201cyesterday\u201d is not a date: "
                                        "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM."),
    ("1.00", "cash", "2025-06-01", "r9", "The payment date 1 Jun 2025, 00:00 is before account "),
    ("2.00", "cash", "2026-11-28", "r1", "The key \u201cr1\u201d belongs to an earlier payment"),
]


def test_every_refused_line_reads_as_one_sentence_on_the_page_and_in_the_csv(
        billing_admin_client, accs, billing_db):
    """Each refusal, whatever its errno, is a sentence about the line as the file has it (the
    amount, the account number, the date as a date), never the server's text (parameter names,
    -5.0000000000, "now is"); the refused-lines CSV carries the same words."""
    a, _ = accs
    content = HEADER + f"{a.account_no},3.00,cash,2026-11-28,r1\r\n"          # posted: r1 is used
    content += "".join(f"{a.account_no},{amount},{method},{paid},{key}\r\n"
                       for amount, method, paid, key, _ in REFUSALS)
    content += "ZZZ<script>,1.00,cash,2026-11-28,r10\r\n,1.00,cash,2026-11-28,r11\r\n"
    detail = upload(billing_admin_client, content)["Location"]
    batch_id = billing_db.value("SELECT batch_id FROM payment_batch")
    billing_admin_client.post(reverse("billing:bankfile_post", args=[batch_id]))
    page = billing_admin_client.get(detail + "?outcome=refused")
    html_ = page.content.decode()
    t = text(page)
    assert f"Lines: refused ({len(REFUSALS) + 2})" in t
    for *_, sentence in REFUSALS:
        assert sentence in t, sentence
    assert "There is no account with number \u201cZZZ<script>\u201d." in t
    assert "ZZZ<script>" not in html_                       # escaped
    assert "The line has no account number." in t
    reasons = re.findall(r'<td class="reason[^"]*"[^>]*>(.*?)</td>', html_, re.S)
    assert len(reasons) == len(REFUSALS) + 2
    for reason in reasons:
        words = html.unescape(re.sub(r"<[^>]+>", "", reason)).replace("bank_transfer", "")
        assert not re.search(r"[a-z]+_[a-z]+ |\d\.\d{5}|now is|NULL|\d{4}-\d\d-\d\d", words), words
        assert words.strip().endswith(".")
    csv_rows = list(csv.reader(io.StringIO(billing_admin_client.get(
        reverse("billing:bankfile_refused_csv", args=[batch_id])).content.decode())))
    page_reasons = [html.unescape(re.sub(r"<[^>]+>", "", r)).strip() for r in reasons]
    assert [row[6] for row in csv_rows[1:]] == page_reasons


@pytest.mark.parametrize("errno, message, sentence", [
    (45021, "account 7 is closed (since 2026-01-31) and has no money open",
     "Account \u201cA0000007\u201d was closed on 31 Jan 2026 and owes nothing: no payment is "
     "taken on it."),
    (45022, "idempotency_key 'k1' was used for payment 12 of account 3, amount 10.00",
     "The key \u201ck1\u201d belongs to an earlier payment of \u20ac10.00 to another account or of "
     "another amount: give this payment its own key."),
    (45001, "account_no is required", "The line has no account number."),
    (45002, "account_no is required", "The line has no account number."),
    (45002, "paid_at 2026-12-02 00:00:00 is in the future (now is 2026-12-01 10:18:05)",
     "The payment date 2 Dec 2026, 00:00 is after the batch was posted (1 Dec 2026, 10:18): a "
     "payment cannot be dated in the future."),
    (45002, "idempotency_key is longer than 100 characters",
     "The key is longer than 100 characters."),
    (45002, "key must be a JSON string or null, not an object",
     "Key is not a plain value: write it as text."),
])
def test_a_refusal_of_each_errno_in_words(errno, message, sentence):
    from billing.errors import batch_line_reason
    cells = {"account": "A0000007", "amount": "10.00", "method": "cash", "paid_at": None,
             "key": "k1"}
    assert batch_line_reason(errno, message, cells) == sentence
    assert batch_line_reason(None, None, cells) is None
