"""Payments at the counter, receipts, reversals and the day's collections."""
import re
import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from billing import csv_export, formatting, forms, paging, selectors, services
from billing.errors import BillingError
from billing.roles import ADMIN, READ, RoleRequiredMixin
from billing.views.common import ObjectFormView


IDEMPOTENCY_MISMATCH = 45022


class PostedForms:
    """The pay forms this session posted a payment with: form key (the rendered form's hidden
    key) -> {"account_id", "payment_id", "key"} (the idempotency key of that first posting),
    in the session under `name`, the latest LIMIT forms. A form sent again (Back, a reload, a
    changed method, reference or amount) is posted again with its first key, so post_payment
    answers it with the first payment (a replay) or refuses it (45022): one payment per
    rendered form. A limit of the web layer: another session posting a copy of the same page
    is not bound (the key of its posting may differ by its reference)."""
    LIMIT = 50

    def __init__(self, request, name):
        self.session, self.name = request.session, name

    def get(self, form_key, *, account_id):
        entry = (self.session.get(self.name) or {}).get(form_key)
        return entry if entry and entry.get("account_id") == account_id else None

    def remember(self, form_key, *, account_id, payment_id, key):
        forms_ = dict(self.session.get(self.name) or {})
        forms_.pop(form_key, None)
        forms_[form_key] = {"account_id": account_id, "payment_id": payment_id, "key": key}
        while len(forms_) > self.LIMIT:
            forms_.pop(next(iter(forms_)))
        self.session[self.name] = forms_


def method_words(method):
    """cash, cheque, card, bank transfer, online: a payment method in a sentence."""
    return formatting.method_label(method).lower()


class CounterPaymentView(ObjectFormView):
    """A payment at the counter. The form carries a key made when the form was shown; the first
    posting of a rendered form binds it (PostedForms): submitting it again (a double click, a
    reload, Back and a corrected cheque number or method) posts no second payment. Sent again
    as it was, it shows the same receipt; sent with another method or reference, the receipt
    of the payment it posted and a warning that a correction needs a reversal and a new
    payment; with another amount, the same (post_payment refuses it: 45022).
    An amount above the balance (v_account_balance) needs a confirmation, as in the portal."""
    form_class = forms.CounterPaymentForm
    submit = "Take payment"
    template_name = "billing/payment_form.html"
    SESSION_KEY = "counter_payment_forms"

    def load(self):
        super().load()
        self.title = f"Counter payment on account {self.account.account_no}"
        self.balance = selectors.account_balance(account_id=self.account.account_id)
        self.posted = PostedForms(self.request, self.SESSION_KEY)

    def get_initial(self):
        # the amount due (the account's balance, as v_account_balance gives it) when there is one
        balance = self.balance
        due = balance.balance if balance is not None and balance.balance > 0 else None
        return {"idempotency_key": f"counter:{uuid.uuid4()}", "amount": due,
                "owed_shown": balance.balance if balance is not None else None}

    def get_form_kwargs(self):
        account_id, actor = self.account.account_id, self.actor()
        return {**super().get_form_kwargs(),
                "owed": self.balance.balance if self.balance is not None else None,
                "preview": lambda amount: services.preview_payment(
                    account_id=account_id, amount=amount, actor=actor)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(balance=self.balance, **kwargs)

    def call(self, form):
        form_key = form.cleaned_data["idempotency_key"]
        first = self.posted.get(form_key, account_id=self.account.account_id)
        key = first["key"] if first else form.key()
        try:
            result = services.post_payment(account_id=self.account.account_id,
                                           amount=form.cleaned_data["amount"],
                                           method=form.cleaned_data["method"], paid_at=None,
                                           idempotency_key=key, actor=self.actor())
        except BillingError as error:
            if first is None or error.errno != IDEMPOTENCY_MISMATCH:
                raise
            # this form posted another amount before: nothing was posted now
            return {"payment_id": first["payment_id"], "replayed": 1, "refused": True}
        self.posted.remember(form_key, account_id=self.account.account_id,
                             payment_id=result["payment_id"], key=key)
        return result

    def succeed(self, form, result):
        if not result["replayed"]:
            messages.success(self.request, f"Payment posted: receipt {result['receipt_no']}, "
                                           f"balance after {formatting.money(result['balance_after'])}.")
            return redirect("billing:payment_receipt", payment_id=result["payment_id"])
        payment = selectors.get_payment(payment_id=result["payment_id"])
        reference = selectors.payment_references(payment_ids=[payment.payment_id]) \
            .get(payment.payment_id)
        typed = form.cleaned_data
        if (not result.get("refused") and payment.method == typed["method"]
                and (reference or "") == (typed.get("reference") or "")):
            messages.info(self.request, f"This payment was posted before: receipt "
                                        f"{payment.receipt_no} (not posted again).")
        else:
            was = ", ".join([method_words(payment.method)]
                            + ([f"reference {reference}"] if reference else [])
                            + [formatting.money(payment.amount)])
            now = ", ".join([method_words(typed["method"])]
                            + ([f"reference {typed['reference']}"] if typed.get("reference")
                               else [])
                            + [formatting.money(typed["amount"])])
            messages.warning(self.request, (
                f"Nothing was posted now: this payment form was posted already as payment "
                f"{payment.receipt_no} ({was}). What you sent now ({now}) was not taken. To "
                f"correct that payment, reverse it and take a new payment on a new form."))
        return redirect("billing:payment_receipt", payment_id=payment.payment_id)


class PaymentReceiptView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/payment_receipt.html"

    def get_context_data(self, **kwargs):
        payment = selectors.get_payment(payment_id=self.kwargs["payment_id"])
        if payment is None:
            raise Http404("No such payment")
        account = selectors.get_account(account_id=payment.account_id)
        return super().get_context_data(
            payment=payment, account=account,
            customer=selectors.get_customer(customer_id=account.customer_id),
            balance=selectors.account_balance(account_id=account.account_id), **kwargs)


class ReversePaymentView(ObjectFormView):
    """The reversal asks for confirmation: the page shows what the reversal would do (bills
    reopened, rebates revoked, the balance after: read from v_staff_reversal*, no arithmetic
    here), what happens to card money for an online or card payment, and takes the reason."""
    roles = ADMIN
    form_class = forms.ReversalForm
    template_name = "billing/reverse_payment.html"
    submit = "Reverse payment"

    def get_context_data(self, **kwargs):
        effect, bills = selectors.reversal_effects(payment_id=self.payment.payment_id)
        return super().get_context_data(payment=self.payment, effect=effect,
                                        reopened=bills, **kwargs)

    def load(self):
        self.payment = selectors.get_payment(payment_id=self.kwargs["payment_id"])
        if self.payment is None:
            raise Http404("No such payment")
        self.account = selectors.get_account(account_id=self.payment.account_id)
        self.customer = selectors.get_customer(customer_id=self.account.customer_id)
        self.title = (f"Reverse payment {self.payment.receipt_no} "
                      f"({formatting.money(self.payment.amount)}, {self.payment.method})")

    def cancel_url(self):
        return reverse("billing:payment_receipt", args=[self.payment.payment_id])

    def call(self, form):
        return services.reverse_payment(payment_id=self.payment.payment_id,
                                        reason=form.cleaned_data["reason"], actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Payment {self.payment.receipt_no} reversed; balance "
                                       f"after {formatting.money(result['balance_after'])}.")
        return redirect("billing:payment_receipt", payment_id=self.payment.payment_id)


class CollectionsTodayView(RoleRequiredMixin, TemplateView):
    """The day's collections by method (v_collections_daily), per cashier and method with
    subtotals and the day's total (v_staff_collections_cashier), and its payments (?day=), in
    pages of PER_PAGE (?page=): a day of bank files has hundreds of thousands of them. Every
    figure is the database's (kept figures, migration 0121); the pager's count is the day's
    total row's payments_taken, so no COUNT reads the day's payments. A ?day= that is no day
    (forms.day_of) is said next to the day's field and today is shown (no CSV of another day)."""
    roles = READ
    template_name = "billing/collections_day.html"
    PER_PAGE = 50

    def get(self, request, *args, **kwargs):
        self.day, self.day_form = forms.day_of(request.GET)
        if request.GET.get("format") == "csv" and self.day_form.is_valid():
            return _payments_csv(f"payments-{self.day:%Y-%m-%d}", day=self.day)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        day = self.day
        by_cashier = selectors.collections_by_cashier(day=day)
        total = next((r for r in by_cashier if r["cashier"] is None), None)
        payments = paging.page(self.request, selectors.payments_of_day(day=day), "page",
                               per_page=self.PER_PAGE,
                               count=total["payments_taken"] if total else 0)
        _annotate(payments, accounts=True)
        return super().get_context_data(
            day=day, by_method=selectors.collections_of_day(day=day), payments=payments,
            by_cashier=by_cashier, day_form=self.day_form, **kwargs)


class DrawerCloseView(RoleRequiredMixin, TemplateView):
    """A printable drawer close: one cashier's collections of a day per method with the total
    (v_staff_collections_cashier: the kept figures) and the payments behind them, with room for
    the counted amounts and signatures. ?day= (default today; one that is no day is said on the
    page, as on the day's collections) &cashier= (default the user).
    The payments come in pages of PER_PAGE (?page=; a bank file's "cashier" has 100,000 in a
    day), read by the range of ix_payment_cashier_paid (migration 0123)."""
    roles = READ
    template_name = "billing/drawer_close.html"
    PER_PAGE = 200

    def get(self, request, *args, **kwargs):
        self.day, self.day_form = forms.day_of(request.GET)
        if request.GET.get("format") == "csv" and self.day_form.is_valid():
            cashier = self._cashier()
            name = re.sub(r"[^A-Za-z0-9_.-]+", "-", cashier)
            return _payments_csv(f"drawer-{name}-{self.day:%Y-%m-%d}", day=self.day,
                                 cashier=cashier)
        return super().get(request, *args, **kwargs)

    def _cashier(self):
        return self.request.GET.get("cashier") or services.actor_for(self.request.user)

    def get_context_data(self, **kwargs):
        day = self.day
        cashier = self._cashier()
        rows = selectors.collections_by_cashier(day=day, cashier=cashier)
        total = next((r for r in rows if r["method"] is None), None)
        payments = paging.page(self.request, selectors.payments_of_day(day=day, cashier=cashier),
                               "page", per_page=self.PER_PAGE,
                               count=total["payments_taken"] if total else 0)
        _annotate(payments)
        return super().get_context_data(
            day=day, cashier=cashier, methods=[r for r in rows if r["method"] is not None],
            total=total, payments=payments, day_form=self.day_form, **kwargs)


PAYMENTS_CSV_HEADER = ("Receipt", "Paid at", "Account", "Cashier", "Method", "Reference",
                       "Amount", "Status")


def _payments_csv(name, *, day, cashier=None):
    """Every payment of the day (of one cashier), not only the page: the printout of a drawer
    with more payments than a page, or a day of bank files, as a spreadsheet (streamed)."""
    return csv_export.table_csv_stream(
        name, PAYMENTS_CSV_HEADER, selectors.payments_of_day_export(day=day, cashier=cashier))


def _annotate(page, *, accounts=False):
    """Give each payment of a page its reference (and its account): one query each for the page."""
    page.object_list = payments = list(page.object_list)
    references = selectors.payment_references(payment_ids=[p.payment_id for p in payments])
    by_id = selectors.accounts_by_id(account_ids=[p.account_id for p in payments]) if accounts else {}
    for p in payments:
        p.reference = references.get(p.payment_id)
        if accounts:
            p.account = by_id.get(p.account_id)

