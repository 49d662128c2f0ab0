"""manage.py send_notices against a real SMTP server (aiosmtpd on a loopback port, started by a
fixture): what arrives (recipients, subjects, bodies, headers, the PDF with the bill number),
nobody opted out gets mail, the SMTP server down (retries, then failed), two senders at once (no
duplicates), a SIGKILL of the sender mid-batch then a restart (at most the one in flight twice,
nothing lost). The sender runs as cron runs it: a subprocess."""
import email
import email.policy
import io
import signal
import socket
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from helpers.db import connect_kwargs, with_database
from helpers.factories import ACTOR, make_customer, make_metered_account, make_tariff
from ops.jobhelp import job_env, manage, start_manage


class Inbox:
    """aiosmtpd handler: keeps every accepted message; `delay` seconds before accepting each."""

    def __init__(self):
        self.messages = []
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)          # the sender waits for our answer meanwhile
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(django_db_setup):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def env_for(db, port):
    # the sender renders receipts, which read the card brand kept in Django's own schema: the
    # job gets it as in production (BILLING_WEB_DATABASE_URL), here the tests' migrated copy
    web_url = with_database(db.url, connect_kwargs(db.url)["db"] + "_web")
    return job_env(db.url, DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                   DJANGO_EMAIL_HOST="127.0.0.1", DJANGO_EMAIL_PORT=str(port),
                   DJANGO_EMAIL_TIMEOUT="5", BILLING_NOTICES_FROM_EMAIL="billing@millbrook.test",
                   BILLING_WEB_DATABASE_URL=web_url)


def send(db, port, *args):
    out = manage(db.url, "send_notices", *args, env=env_for(db, port), timeout=300)
    assert out.returncode == 0, out.stderr
    return out


@pytest.fixture
def clock(db):
    db.set_clock("2026-02-01")


def customer_with_bill(db, email_addr, tariff, kwh=1000, prefs=None):
    cid = make_customer(db, name=f"Customer {email_addr}", email=email_addr)
    if prefs is not None:
        db.call("set_contact_preferences", cid, *prefs, ACTOR)
    acc = make_metered_account(db, tariff_code=tariff, customer_id=cid, opened_on="2026-01-01")
    db.call("record_reading", acc.serial, "2026-01-31", kwh, "field", ACTOR)
    acc.bill_id = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31",
                          "2026-02-01", 14, ACTOR)["bill_id"]
    acc.bill_no = db.value("SELECT bill_no FROM bill WHERE bill_id = %s", acc.bill_id)
    return acc


def pdf_text(part):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(part.get_content())).pages)


def test_bills_receipts_and_reminders_arrive_as_written(db, clock, smtp):
    t = make_tariff(db)
    ann = customer_with_bill(db, "ann@example.org", t)                 # 100.00, due 2026-02-15
    bob = customer_with_bill(db, "bob@example.org", t, prefs=(0, 1, 0))   # no e-mailed bills
    customer_with_bill(db, None, t)                                     # no e-mail address
    db.set_clock("2026-02-03 10:00:00")
    pay = db.call("post_payment", ann.account_id, "40.00", "card", None, "k-ann", ACTOR)
    db.set_clock("2026-02-16")
    db.call("queue_reminders", "2026-02-16", "batch:reminders")          # overdue_1: ann and bob
    db.call("set_contact_preferences", bob.customer_id, 0, 0, 0, ACTOR)  # too late for that one

    out = send(db, smtp.port)
    assert "4 sent, 0 to retry, 0 failed for good" in out.stdout

    assert sorted(r for rcpts, _ in smtp.messages for r in rcpts) == [
        "ann@example.org", "ann@example.org", "ann@example.org", "bob@example.org"]
    subjects = {m["Subject"]: m for m in smtp.to("ann@example.org")}
    assert set(subjects) == {
        f"Millbrook Electric: Your bill {ann.bill_no} is ready",
        f"Millbrook Electric: Payment received, receipt {pay['receipt_no']}",
        f"Millbrook Electric: Bill {ann.bill_no} is overdue"}
    [bob_msg] = smtp.to("bob@example.org")
    assert bob_msg["Subject"] == f"Millbrook Electric: Bill {bob.bill_no} is overdue"

    bill_msg = subjects[f"Millbrook Electric: Your bill {ann.bill_no} is ready"]
    assert bill_msg["From"] == "billing@millbrook.test"
    assert bill_msg["To"] == "ann@example.org"
    assert bill_msg["Auto-Submitted"] == "auto-generated"
    text = bill_msg.get_body(("plain",)).get_content()
    html = bill_msg.get_body(("html",)).get_content()
    assert f"Bill: {ann.bill_no}" in text and "Amount: €100.00" in text and "Due: 15 Feb 2026" in text
    assert ann.bill_no in html and "€100.00" in html
    [pdf] = [p for p in bill_msg.iter_attachments()]
    assert (pdf.get_content_type(), pdf.get_filename()) == ("application/pdf", f"bill-{ann.bill_no}.pdf")
    assert ann.bill_no in pdf_text(pdf)

    receipt_msg = subjects[f"Millbrook Electric: Payment received, receipt {pay['receipt_no']}"]
    [rpdf] = list(receipt_msg.iter_attachments())
    assert pay["receipt_no"] in pdf_text(rpdf)
    assert "Amount overdue: €60.00" in subjects[
        f"Millbrook Electric: Bill {ann.bill_no} is overdue"].get_body(("plain",)).get_content()

    # every delivered notice is marked sent with the Message-ID the server received
    sent = db.rows("SELECT * FROM v_notices WHERE status = 'sent'")
    got = {m["Message-ID"] for _, m in smtp.messages}
    assert {n["message_id"] for n in sent} == got and len(got) == 4
    assert sorted(n["status"] for n in db.rows("SELECT status FROM notice")) == \
        ["sent"] * 4 + ["skipped"] * 3     # bob's bill (opted out); no e-mail: bill and overdue_1

    assert "0 sent" in send(db, smtp.port).stdout             # nothing twice
    assert len(smtp.messages) == 4


def test_smtp_down_retries_with_backoff_then_fails(db, clock):
    acc = customer_with_bill(db, "ann@example.org", make_tariff(db))
    port = _free_port()                                       # nobody listens there
    for attempt in range(1, 7):
        out = send(db, port)
        n = db.row("SELECT * FROM v_notices WHERE bill_id = %s", acc.bill_id)
        assert n["attempts"] == attempt
        assert "ConnectionRefusedError" in n["last_error"]
        if attempt < 6:
            assert n["status"] == "pending" and "1 to retry" in out.stdout
            assert "0 sent, 0 to retry" in send(db, port).stdout          # not due yet: backoff
            db.execute("UPDATE notice SET next_attempt_at = NOW() WHERE notice_id = %s",
                       n["notice_id"])                                    # the wait is over
        else:
            assert n["status"] == "failed" and "1 failed for good" in out.stdout


def many_notices(db, n):
    t = make_tariff(db)
    return [customer_with_bill(db, f"c{i:02d}@example.org", t) for i in range(n)]


def test_two_senders_at_once_send_each_notice_once(db, clock, smtp):
    accs = many_notices(db, 12)
    smtp.delay = 0.05
    env = env_for(db, smtp.port)
    procs = [start_manage(db.url, "send_notices", "--limit", "2", "--sender", f"s{i}", env=env)
             for i in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    counts = Counter(r for rcpts, _ in smtp.messages for r in rcpts)
    assert counts == Counter({f"c{i:02d}@example.org": 1 for i in range(len(accs))})
    assert db.value("SELECT COUNT(*) FROM notice WHERE status = 'sent'") == 12
    senders = {r["claimed_by"] for r in db.rows("SELECT claimed_by FROM notice")}
    assert senders <= {"s0", "s1"}


def test_sigkill_mid_batch_then_restart_repeats_at_most_one_and_loses_none(db, clock, smtp):
    accs = many_notices(db, 10)
    smtp.delay = 0.3
    proc = start_manage(db.url, "send_notices", "--limit", "10", "--sender", "doomed",
                        env=env_for(db, smtp.port))
    deadline = time.monotonic() + 120
    while len(smtp.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert 3 <= len(smtp.messages) < 10
    smtp.delay = 0.0
    # the killed sender's claims hold for 10 minutes: a restart now sends nothing of them ...
    assert "0 sent" in send(db, smtp.port).stdout
    # ... and after that, everything not marked is sent
    db.execute("UPDATE notice SET claimed_at = claimed_at - INTERVAL 11 MINUTE "
               "WHERE claimed_at IS NOT NULL")
    send(db, smtp.port)
    counts = Counter(r for rcpts, _ in smtp.messages for r in rcpts)
    assert set(counts) == {f"c{i:02d}@example.org" for i in range(len(accs))}    # none lost
    assert sum(1 for c in counts.values() if c > 1) <= 1 and max(counts.values()) <= 2
    assert db.value("SELECT COUNT(*) FROM notice WHERE status = 'sent'") == 10


def test_queue_reminders_command_then_send(db, clock, smtp):
    acc = customer_with_bill(db, "ann@example.org", make_tariff(db))      # due 2026-02-15
    out = manage(db.url, "queue_reminders", "--as-of", "2026-03-01")
    assert out.returncode == 0, out.stderr
    assert "reminders as of 2026-03-01: 0 due soon, 0 overdue 1, 1 overdue 2, 0 final notices" \
        in out.stdout
    again = manage(db.url, "queue_reminders", "--as-of", "2026-03-01")
    assert "0 overdue 2" in again.stdout
    bad = manage(db.url, "queue_reminders", "--as-of", "2999-01-01")     # after today
    assert bad.returncode == 2 and "45002" in bad.stderr
    send(db, smtp.port)
    assert [m["Subject"] for m in smtp.to("ann@example.org")] == [
        f"Millbrook Electric: Your bill {acc.bill_no} is ready",
        f"Millbrook Electric: Second reminder: bill {acc.bill_no} is overdue"]
