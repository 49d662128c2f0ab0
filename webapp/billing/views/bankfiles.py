"""Bank files (issue 24 §2): upload a bank or lockbox file, preview the staged batch, post it,
see every line's outcome and download the refused lines; the list of batches.

Roles: uploading and posting are a billing admin's job (billing_admin: payments that arrive by
the bank, not at the counter; clerks take counter payments only); billing admins and managers
read the batches (REPORTS). A clerk gets 403 on every page here.

Writes: stage_payment_batch (the file in chunks of bank_import.CHUNK_LINES lines) and
post_payment_batch, through services. Reads: v_staff_payment_batch, v_staff_payment_batch_line,
v_staff_payment_batch_account (counts, totals and flags are computed there, not here).
There is no procedure to discard a staged batch: an unposted batch stays open (the page says so).
"""
import logging
from types import SimpleNamespace

import MySQLdb
from django import forms
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from billing import bank_import, csv_export, formatting, paging, selectors, services
from billing.errors import FILE_ERRORS, BillingError, Busy, batch_line_reason
from billing.roles import ADMIN, REPORTS, RoleRequiredMixin

log = logging.getLogger("billing.bankfiles")
OUTCOMES = ("pending", "posted", "replayed", "refused")
REFUSED_COLUMNS = bank_import.COLUMNS + ("line_no", "reason")


class BankFileUploadForm(forms.Form):
    file = forms.FileField(
        label="Bank file (CSV)",
        error_messages={"empty": FILE_ERRORS["empty"], "required": FILE_ERRORS["missing"]},
        help_text=f"Columns {','.join(bank_import.COLUMNS)}; UTF-8; at most "
                  f"{bank_import.MAX_LINES:,} lines and {bank_import.MAX_BYTES // 1024 // 1024} MB.")
    batch_ref = forms.CharField(
        label="Batch name", required=False, max_length=100,
        help_text="How the batch is listed; the file's name when left empty.")


def _error_words(line):
    """A refused line's reason for a person, one sentence with what the file has (the amount,
    the account number, the date): errors.batch_line_reason, for the page and the CSV alike.
    None for a line that was not refused."""
    return batch_line_reason(line.errno, line.message, {
        "account": line.account_no, "amount": line.amount, "method": line.method,
        "paid_at": line.paid_at, "key": line.idempotency_key})


class BankFileListView(RoleRequiredMixin, TemplateView):
    roles = REPORTS
    template_name = "billing/bankfiles/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            batches=paging.page(self.request, selectors.payment_batches(), "page"), **kwargs)


class BankFileTemplateView(RoleRequiredMixin, View):
    roles = REPORTS

    def get(self, request):
        example = SimpleNamespace(**dict(zip(bank_import.COLUMNS, bank_import.TEMPLATE_ROWS[1])))
        return csv_export.csv_response("bank-file-template", bank_import.COLUMNS, [example])


class BankFileUploadView(RoleRequiredMixin, FormView):
    roles = ADMIN
    template_name = "billing/bankfiles/upload.html"
    form_class = BankFileUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(columns=bank_import.COLUMNS,
                                         max_lines=f"{bank_import.MAX_LINES:,}",
                                         max_mb=bank_import.MAX_BYTES // 1024 // 1024,
                                         example=bank_import.TEMPLATE_ROWS[1], **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            # never more than the cap into memory: one byte over it is enough to refuse
            lines = bank_import.read_lines(upload.read(bank_import.MAX_BYTES + 1))
        except bank_import.FileRefused as refused:
            form.add_error("file", forms.ValidationError(str(refused), code=refused.code))
            return self.form_invalid(form)
        batch_ref = (form.cleaned_data["batch_ref"].strip() or upload.name or "bank file")[:100]
        existing = selectors.open_payment_batch(batch_ref=batch_ref)
        if existing is not None:
            form.add_error("batch_ref", forms.ValidationError(
                FILE_ERRORS["open_batch"].format(batch_ref=batch_ref,
                                                 batch_id=existing.batch_id),
                code="open_batch"))
            return self.form_invalid(form)
        actor = services.actor_for(self.request.user)
        batch_id = None
        for chunk in bank_import.chunks(lines):
            try:
                batch_id = services.stage_payment_batch(batch_ref=batch_ref, lines=chunk,
                                                        actor=actor)["batch_id"]
            except BillingError as error:
                form.add_error("file", forms.ValidationError(
                    error.sentence
                    + (f" The lines before were staged as batch {batch_id}." if batch_id else ""),
                    code=error.code))
                return self.form_invalid(form)
        messages.success(self.request, f"Staged {len(lines):,} line{'s' if len(lines) != 1 else ''} "
                                       f"as batch {batch_id}. Check the preview, then post it.")
        return redirect("billing:bankfile_detail", batch_id=batch_id)


class BankFileDetailView(RoleRequiredMixin, TemplateView):
    """A batch: before posting the preview (counts, total, lines per account, flagged lines),
    after it the result (counts, amount posted, each line's outcome with its receipt or error)."""
    roles = REPORTS
    template_name = "billing/bankfiles/detail.html"

    def get_context_data(self, **kwargs):
        batch = selectors.get_payment_batch(batch_id=self.kwargs["batch_id"])
        if batch is None:
            raise Http404("No such batch")
        outcome = self.request.GET.get("outcome")
        outcome = outcome if outcome in OUTCOMES else None
        lines = paging.page(self.request, selectors.payment_batch_lines(
            batch_id=batch.batch_id, outcome=outcome), "lines", per_page=50)
        for line in lines:
            line.error_words = _error_words(line)
        flagged = None
        if batch.pending:
            flagged = paging.page(self.request, selectors.payment_batch_lines(
                batch_id=batch.batch_id, outcome="pending", flagged=True), "flagged")
        accounts = paging.page(self.request, selectors.payment_batch_accounts(
            batch_id=batch.batch_id), "accounts")
        return super().get_context_data(batch=batch, lines=lines, flagged=flagged,
                                        accounts=accounts, outcome=outcome, outcomes=OUTCOMES,
                                        **kwargs)


class BankFilePostView(RoleRequiredMixin, View):
    """POST: post_payment_batch, then back to the batch page with what this posting did."""
    roles = ADMIN

    def post(self, request, batch_id):
        before = selectors.get_payment_batch(batch_id=batch_id)
        if before is None:
            raise Http404("No such batch")
        try:
            result = services.post_payment_batch(batch_id=batch_id,
                                                  actor=services.actor_for(request.user))
        except (Busy, DatabaseError, MySQLdb.Error):
            # a deadlock or lock wait timeout after services' attempts (Busy), or an outage: the
            # chunks committed before it stay posted, the rest stays pending (post_payment_batch)
            log.exception("post_payment_batch %s failed", batch_id)
            messages.error(request, "The posting stopped before the end (the database did not "
                                    "answer in time). Lines posted so far stay posted; post "
                                    "the batch again to post the rest.")
            return redirect("billing:bankfile_detail", batch_id=batch_id)
        except BillingError as error:
            messages.error(request, f"Not posted: {error.sentence}")
            return redirect("billing:bankfile_detail", batch_id=batch_id)
        done_now = before.pending - selectors.get_payment_batch(batch_id=batch_id).pending
        if done_now == 0:
            messages.info(request, "Nothing was posted: every line of this batch had been posted "
                                   "before, and posting again never posts a line twice.")
        else:
            messages.success(request, (
                f"Batch {batch_id} posted: {result['posted']} posted, {result['replayed']} "
                f"replayed, {result['refused']} refused; "
                f"{formatting.money(result['amount_posted'])} posted in all."))
        return redirect("billing:bankfile_detail", batch_id=batch_id)


class BankFileRefusedCsvView(RoleRequiredMixin, View):
    """The refused lines as a CSV in the upload format (plus line_no and the reason, the
    sentence the batch page shows), to fix and upload again; cells neutralised against formulas
    (csv_export)."""
    roles = REPORTS

    def get(self, request, batch_id):
        batch = selectors.get_payment_batch(batch_id=batch_id)
        if batch is None:
            raise Http404("No such batch")
        rows = (SimpleNamespace(account_no=line.account_no, amount=line.amount,
                                method=line.method, paid_at=line.paid_at,
                                key=line.idempotency_key, line_no=line.line_no,
                                reason=_error_words(line))
                for line in selectors.payment_batch_lines(batch_id=batch_id, outcome="refused"))
        return csv_export.csv_response(f"batch-{batch_id}-refused", REFUSED_COLUMNS, rows)
