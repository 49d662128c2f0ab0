"""A bill's staff page (lines, readings used, allocations, history, cancelled/replaced both ways),
its cancel (billing admins, after a confirmation page that states the consequences) and the
re-bill of a cancelled bill's days; the true-down of an estimate that was too high (cancel,
record the actual reading, re-bill: billing.corrections) and refunds of account credit at the
counter with their printed slip. Cancel, re-bill, true-down and refund are billing admin
actions; every staff role reads."""
import datetime
import uuid

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from billing import comparison, corrections, formatting, selectors, services
from billing.documents import rebate_taken_back
from billing.errors import BillingError
from billing.forms import (NOT_A_DAY, REASON_MAX, LimitedCharField, PlainDecimalField, ReadingForm,
                           due_days_field, parse_plain_number)
from billing.roles import ADMIN, READ, RoleRequiredMixin
from billing.views.billing_runs import exception_sentence
from billing.views.common import ObjectFormView


class CancelBillForm(forms.Form):
    reason = LimitedCharField(
        label="Reason for the cancel", strip=True, max_length=REASON_MAX,
        help_text="In words, e.g. “meter misread: 4125 entered as 4215”.",
        widget=forms.Textarea(attrs={"rows": 3}))


class RebillForm(forms.Form):
    issue_date = forms.DateField(label="Issue date", initial=datetime.date.today,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"invalid": NOT_A_DAY})
    due_days = due_days_field()


REFUND_METHODS = [(m, formatting.method_label(m)) for m in ("cheque", "bank_transfer", "card")]


class RefundForm(forms.Form):
    amount = PlainDecimalField(label="Amount to pay back", max_digits=12, decimal_places=2)
    method = forms.ChoiceField(label="Paid back by", choices=REFUND_METHODS, initial="cheque")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class TrueDownForm(ReadingForm):
    """The reading refused as below an estimate, carried on, and the reason for the cancel."""
    reason = LimitedCharField(label="Reason for cancelling the estimated bill", strip=True,
                              max_length=REASON_MAX,
                              initial="estimate too high: actual reading below it")


def _bill_or_404(bill_id):
    bill = selectors.get_bill(bill_id=bill_id)
    if bill is None:
        raise Http404("No such bill")
    return bill


class BillDetailView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/bill_detail.html"

    def get_context_data(self, **kwargs):
        bill = _bill_or_404(self.kwargs["bill_id"])
        account = selectors.get_account(account_id=bill.account_id)
        lines = selectors.bill_lines(bill_id=bill.bill_id)
        return super().get_context_data(
            bill=bill, account=account,
            customer=selectors.get_customer(customer_id=bill.customer_id),
            lines=lines,
            # the rebate in words: bill.rebate_state (offered / earned / missed, None on a
            # cancelled bill or without one), and whether a granted rebate was taken back
            rebate_taken_back=rebate_taken_back(lines),
            why=comparison.why(bill_id=bill.bill_id),
            readings=selectors.bill_readings(bill_id=bill.bill_id),
            allocations=selectors.bill_allocations(bill_id=bill.bill_id),
            history=selectors.bill_history(bill_id=bill.bill_id),
            replaces=bill.replaces_bill_id and selectors.get_bill(bill_id=bill.replaces_bill_id),
            replaced_by=(bill.replaced_by_bill_id
                         and selectors.get_bill(bill_id=bill.replaced_by_bill_id)),
            cancellable=selectors.bill_is_latest(bill=bill),
            rebillable=bill.cancelled_at is not None and not bill.replaced_by_bill_id,
            **kwargs)


class CancelBillView(ObjectFormView):
    """GET: what the cancel does (credit note, the payments' money back to credit, the estimate
    voided), and the reason. POST: cancel_bill. A bill cancelled already (the page is reachable
    by its address) says when, by whom and its credit note, and offers no cancel: a POST goes
    back to the bill's page with that sentence instead of calling cancel_bill again."""
    roles = ADMIN
    form_class = CancelBillForm
    template_name = "billing/bill_cancel.html"
    submit = "Cancel the bill"

    def post(self, request, *args, **kwargs):
        if self.bill.cancelled_at is not None:
            messages.info(request, f"Bill {self.bill.bill_no} was cancelled already on "
                                   f"{formatting.when(self.bill.cancelled_at)} (credit note "
                                   f"{self.bill.credit_note_no}): nothing was done.")
            return redirect("billing:bill_detail", bill_id=self.bill.bill_id)
        return super().post(request, *args, **kwargs)

    def load(self):
        self.bill = _bill_or_404(self.kwargs["bill_id"])
        self.account = selectors.get_account(account_id=self.bill.account_id)
        self.customer = selectors.get_customer(customer_id=self.account.customer_id)
        self.title = f"Cancel bill {self.bill.bill_no}"

    def cancel_url(self):
        return reverse("billing:bill_detail", args=[self.bill.bill_id])

    def get_context_data(self, **kwargs):
        if self.bill.cancelled_at is not None:
            return super().get_context_data(
                bill=self.bill, cancelled=True,
                replaced_by=(self.bill.replaced_by_bill_id
                             and selectors.get_bill(bill_id=self.bill.replaced_by_bill_id)),
                **kwargs)
        return super().get_context_data(
            bill=self.bill, paid_by=[a for a in selectors.bill_allocations(bill_id=self.bill.bill_id)
                                     if a.allocated > 0],
            latest=selectors.bill_is_latest(bill=self.bill),
            balance=selectors.account_balance(account_id=self.account.account_id), **kwargs)

    def call(self, form):
        return services.cancel_bill(bill_id=self.bill.bill_id, reason=form.cleaned_data["reason"],
                                    actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, (
            f"Bill {self.bill.bill_no} cancelled: credit note {result['credit_note_no']} for "
            f"{formatting.money(result['amount_credited'])}; balance after "
            f"{formatting.money(result['balance_after'])}. "
            "Re-bill the account's days below."))
        return redirect("billing:bill_detail", bill_id=self.bill.bill_id)


class RebillView(ObjectFormView):
    """A cancelled bill's days billed again: bill_account for its billing period (the run's
    period), issued today by default; the new bill records the bill it replaces."""
    roles = ADMIN
    form_class = RebillForm
    template_name = "billing/bill_rebill.html"
    submit = "Re-bill"

    def load(self):
        self.bill = _bill_or_404(self.kwargs["bill_id"])
        self.account = selectors.get_account(account_id=self.bill.account_id)
        self.customer = selectors.get_customer(customer_id=self.account.customer_id)
        self.period = corrections.billing_period_of(self.bill)
        self.title = f"Re-bill the days of bill {self.bill.bill_no}"

    def cancel_url(self):
        return reverse("billing:bill_detail", args=[self.bill.bill_id])

    def get_initial(self):
        return {"issue_date": datetime.date.today(), "due_days": self.period[2]}

    def get_context_data(self, **kwargs):
        preview = error = None
        if self.request.method == "GET" and self.bill.cancelled_at is not None:
            try:            # what it would bill, issued today with the run's due days
                preview = corrections.rebill_preview(
                    bill=self.bill, issue_date=datetime.date.today(), due_days=self.period[2],
                    actor=self.actor())
            except BillingError as e:
                error = e
        return super().get_context_data(bill=self.bill, period=self.period, preview=preview,
                                        preview_error=error, **kwargs)

    def call(self, form):
        return corrections.rebill(bill=self.bill, **form.cleaned_data, actor=self.actor())

    def succeed(self, form, result):
        if result["bill_id"] is None:
            why = [exception_sentence(x.code, x.detail)
                   for x in selectors.run_exceptions(run_id=result["run_id"])]
            messages.warning(self.request, why[0] if why else "The account was not billed.")
            return redirect("billing:bill_detail", bill_id=self.bill.bill_id)
        new = selectors.get_bill(bill_id=result["bill_id"])
        messages.success(self.request, f"Bill {new.bill_no} issued (total {formatting.money(new.total_amount)}); "
                                       f"it replaces bill {self.bill.bill_no}.")
        return redirect("billing:bill_detail", bill_id=new.bill_id)


class TrueDownView(RoleRequiredMixin, FormView):
    """The way out when an actual reading is refused because it is below an estimate: one page
    that says what will happen, then, on POST, cancel the estimated bill, record the reading and
    re-bill (billing.corrections.true_down); the outcome page says how far it got."""
    roles = ADMIN
    template_name = "billing/true_down.html"
    form_class = TrueDownForm

    def get_initial(self):
        return {k: self.request.GET.get(k) for k in ("serial_no", "read_on", "value", "source")
                if self.request.GET.get(k)}

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        bill = None
        data = form.data if form is not None and form.is_bound else self.get_initial()
        # read as the form reads it (None: no usable value yet, nothing to explain)
        value = parse_plain_number(data.get("value") or "")
        if value is not None:
            bill = corrections.estimate_in_the_way(serial_no=data.get("serial_no") or "",
                                                   value=value)
        return super().get_context_data(bill=bill, **kwargs)

    def form_valid(self, form):
        d = form.cleaned_data
        bill = corrections.estimate_in_the_way(serial_no=d["serial_no"], value=d["value"])
        if bill is None:
            form.add_error(None, "No estimated bill stands in the way of this reading: record "
                                 "it on the reading page.")
            return self.form_invalid(form)
        out = corrections.true_down(bill=bill, reason=d["reason"], serial_no=d["serial_no"],
                                    read_on=d["read_on"], value=d["value"], source=d["source"],
                                    actor=services.actor_for(self.request.user))
        new = (selectors.get_bill(bill_id=out.rebilled["bill_id"])
               if out.rebilled and out.rebilled["bill_id"] else None)
        self.template_name = "billing/true_down_done.html"
        return self.render_to_response(self.get_context_data(form=form, out=out, old=bill,
                                                             new=new))


class RefundView(ObjectFormView):
    """A refund of the account's credit at the counter (billing admins): refund_credit with a key
    made when the form was shown (a double submit pays back once), then the printed slip. Its
    refusals (45024 above the credit, 45022 the form used for another amount, 45020) read as the
    error map's sentences (billing.errors.REFUSALS)."""
    roles = ADMIN
    form_class = RefundForm
    template_name = "billing/refund_form.html"
    submit = "Pay back"

    def load(self):
        super().load()
        self.title = f"Refund credit of account {self.account.account_no}"
        self.credit = selectors.account_credit(account_id=self.account.account_id)

    def get_initial(self):
        return {"idempotency_key": f"refund:{uuid.uuid4()}",
                "amount": self.credit if self.credit and self.credit > 0 else None}

    def get_context_data(self, **kwargs):
        return super().get_context_data(credit=self.credit, **kwargs)

    def call(self, form):
        return services.refund_credit(account_id=self.account.account_id, **form.cleaned_data,
                                      actor=self.actor())

    def succeed(self, form, result):
        if result["replayed"]:
            messages.info(self.request, "This refund was made before (not paid back again).")
        else:
            messages.success(self.request, f"Refund of {formatting.money(result['amount'])} recorded; balance "
                                           f"after {formatting.money(result['balance_after'])}.")
        return redirect("billing:refund_slip", refund_id=result["refund_id"])


class RefundSlipView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/refund_slip.html"

    def get_context_data(self, **kwargs):
        refund = selectors.get_refund(refund_id=self.kwargs["refund_id"])
        if refund is None:
            raise Http404("No such refund")
        account = selectors.get_account(account_id=refund.account_id)
        return super().get_context_data(
            refund=refund, account=account,
            customer=selectors.get_customer(customer_id=account.customer_id),
            balance=selectors.account_balance(account_id=account.account_id), **kwargs)


def true_down_offer(form, error):
    """For the reading page: when `error` is READING_BACKWARDS because of an estimate, the
    estimated bill in the way and the GET query of the true-down page; else None. (The refused
    form's cleaned_data lost the field the error was put on: the input is read again with a
    fresh form.)"""
    if error is None or error.errno != 45010:
        return None
    again = ReadingForm(form.data)
    if not again.is_valid():
        return None
    d = again.cleaned_data
    bill = corrections.estimate_in_the_way(serial_no=d["serial_no"], value=d["value"])
    if bill is None:
        return None
    from django.utils.http import urlencode
    return {"bill": bill, "query": urlencode({
        "serial_no": d["serial_no"], "read_on": d["read_on"].isoformat(), "value": d["value"],
        "source": d["source"]})}
