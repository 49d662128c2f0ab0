"""Delivery of the notices outbox (issue 23; docs/notices.md): claim, render, send, mark.

`send_due(sender=..., limit=...)` claims due notices with claim_notices (FOR UPDATE SKIP LOCKED
in the database, so several senders may run at once), and for each one, in order:
  1. renders it (subject, text and HTML bodies from templates/billing/notices/, the bill PDF or
     the receipt PDF attached, rendered with WeasyPrint from the portal's print templates);
  2. sends it through Django's e-mail backend (SMTP in production), with a Message-ID of our
     own and `Auto-Submitted: auto-generated`;
  3. marks it at once with mark_notice: 'sent' with the Message-ID, or 'failed' with the error
     (the database retries it later with backoff, then gives up: status 'failed').
Each mark is its own short transaction right after the SMTP server's answer, so a crash can
repeat at most the one notice between "accepted by SMTP" and "marked" (its claim expires after
10 minutes and another run sends it again); every other notice is either marked or unclaimed.
Nothing here computes money: amounts are printed as the views give them, through the one
formatter (billing.formatting: money, day, when), in the subject, both bodies and the PDFs.
"""
import logging
import os
import socket
from email.utils import make_msgid
from types import SimpleNamespace

import MySQLdb
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections
from django.template.loader import render_to_string

from billing import errors, formatting
from billing.documents import bill_document
from billing.models import Account, BillSummary, Customer, Payment
from billing.services import BILLING_ALIAS, call_procedure

log = logging.getLogger("billing.notices")

SUBJECTS = {
    "bill_issued": "Your bill {bill_no} is ready",
    "final_bill": "Your final bill {bill_no}",
    "payment_received": "Payment received, receipt {receipt_no}",
    "payment_reversed": "Your payment {receipt_no} was reversed",
    "bill_cancelled": "Bill {bill_no} was cancelled",
    "refund_paid": "Your refund was paid",
    "due_soon": "Bill {bill_no} is due on {due_date}",
    "overdue_1": "Bill {bill_no} is overdue",
    "overdue_2": "Second reminder: bill {bill_no} is overdue",
    "final_notice": "Final notice: bill {bill_no} is overdue",
}
BILL_PDF_KINDS = {"bill_issued", "final_bill"}
RECEIPT_PDF_KINDS = {"payment_received"}


def default_sender():
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(*, sender, limit):
    """CALL claim_notices: the claimed rows as dicts (autocommit; the procedure commits)."""
    connection = connections[BILLING_ALIAS]
    connection.ensure_connection()
    if connection.in_atomic_block or not connection.get_autocommit():
        raise RuntimeError("claim_notices must be called in autocommit")
    try:
        with connection.cursor() as cur:
            cur.execute("CALL claim_notices(%s, %s)", [sender, limit])
            rows = []
            while True:
                if cur.description is not None:
                    cols = [c[0] for c in cur.description]
                    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
                if not cur.nextset():
                    break
            return rows
    except MySQLdb.Error as exc:
        errno = errors.normalize_errno(exc.args[0]) if exc.args else None
        if errors.is_contract_errno(errno):
            raise errors.error_for(errno, str(exc.args[1])) from exc
        raise


def mark(*, notice_id, sender, status, message_id=None, error=None):
    return call_procedure("mark_notice", notice_id, sender, status, message_id,
                          None if error is None else str(error)[:1000])


def _pdf(template, context):
    from weasyprint import HTML  # imported on use: it loads Pango
    html = render_to_string(template, {**context, "pdf": True})
    return HTML(string=html, base_url=settings.NOTICES_PORTAL_URL).write_pdf()


def render(notice, *, attachments=True):
    """(subject, text, html, attachments) of one notice (a claim_notices row, or any dict with
    its keys); attachments=False leaves the PDFs out (the portal shows a sent message again)."""
    with_pdf = attachments
    customer_id = notice["customer_id"]
    customer = Customer.objects.filter(customer_id=customer_id).values(
        "customer_no", "full_name").first() or {}
    context = {"notice": notice, "kind": notice["kind"], "portal_url": settings.NOTICES_PORTAL_URL,
               "utility": settings.BILLING_UTILITY,
               "customer_name": customer.get("full_name", ""),
               "customer_login": SimpleNamespace(customer_no=customer.get("customer_no", ""))}
    attachments = []
    # the notice's own rows, always through its customer's account (as the portal reads them)
    account = bill = payment = None
    if notice["account_id"]:
        account = Account.objects.filter(customer_id=customer_id,
                                         account_id=notice["account_id"]).first()
    if account is not None and notice["bill_id"]:
        bill = BillSummary.objects.filter(account_id=account.account_id,
                                          bill_id=notice["bill_id"]).first()
    if account is not None and notice["payment_id"]:
        payment = Payment.objects.filter(account_id=account.account_id,
                                         payment_id=notice["payment_id"]).first()
    context.update(bill=bill, payment=payment, account=account)
    if with_pdf and bill is not None and notice["kind"] in BILL_PDF_KINDS:
        pdf = _pdf("portal/bill_print.html", {**context, **bill_document(bill)})
        attachments.append((f"bill-{bill.bill_no}.pdf", pdf, "application/pdf"))
    if with_pdf and payment is not None and notice["kind"] in RECEIPT_PDF_KINDS:
        pdf = _pdf("portal/receipt_print.html", context)
        attachments.append((f"receipt-{payment.receipt_no}.pdf", pdf, "application/pdf"))
    subject = SUBJECTS[notice["kind"]].format(
        bill_no=getattr(bill, "bill_no", ""),
        due_date=formatting.day(getattr(bill, "due_date", "")),
        receipt_no=getattr(payment, "receipt_no", ""))
    text = render_to_string("billing/notices/body.txt", context)
    html = render_to_string("billing/notices/body.html", context)
    return subject, text, html, attachments


def build_message(notice, connection):
    subject, text, html, attachments = render(notice)
    domain = settings.NOTICES_FROM_EMAIL.rpartition("@")[2] or "localhost"
    message_id = make_msgid(f"notice{notice['notice_id']}", domain=domain)
    msg = EmailMultiAlternatives(
        subject=f"{settings.BILLING_UTILITY['name']}: {subject}", body=text,
        from_email=settings.NOTICES_FROM_EMAIL,
        to=[notice["email"]], connection=connection,
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated",
                 "X-Auto-Response-Suppress": "All",
                 "X-Billing-Notice": f"{notice['notice_id']} {notice['kind']}"})
    msg.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        msg.attach(name, content, mimetype)
    return msg, message_id


def send_one(notice, *, sender, connection):
    """Renders, sends and marks one claimed notice; returns its status after the mark."""
    try:
        msg, message_id = build_message(notice, connection)
        msg.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - SMTP refused, server down, a rendering bug: retried
        log.warning("notice %s (%s) to %s failed: %s", notice["notice_id"], notice["kind"],
                    notice["email"], exc)
        # a broken SMTP session is not reused for the next notice
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
        return mark(notice_id=notice["notice_id"], sender=sender, status="failed",
                    error=f"{type(exc).__name__}: {exc}")["status"]
    # accepted by the SMTP server: mark at once (the one window where a crash repeats it)
    return mark(notice_id=notice["notice_id"], sender=sender, status="sent",
                message_id=message_id)["status"]


def send_due(*, sender=None, limit=50, batches=None):
    """Claims and delivers due notices until none is due (or `batches` claims were made).
    Returns counts {'sent': n, 'failed': n, 'retry': n}."""
    sender = sender or default_sender()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    connection = get_connection(fail_silently=False)
    done = 0
    try:
        while batches is None or done < batches:
            rows = claim(sender=sender, limit=limit)
            done += 1
            if not rows:
                break
            for notice in rows:
                status = send_one(notice, sender=sender, connection=connection)
                counts["sent" if status == "sent" else "failed" if status == "failed" else "retry"] += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
    return counts
