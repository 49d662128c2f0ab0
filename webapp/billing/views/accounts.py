"""An account's page and its actions: open, close, install a meter, assign a discount, bill
one account."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from billing import formatting, forms, paging, selectors, services
from billing.roles import ADMIN, READ, RoleRequiredMixin
from billing.views.billing_runs import EXCEPTION_WORDS, exception_sentence
from billing.views.common import ObjectFormView


# The ledger's entry types in words (ledger_entry.entry_type).
LEDGER_WORDS = {"bill": "Bill", "late_fee": "Late fee", "rebate": "Early-payment rebate",
                "rebate_revoked": "Rebate revoked", "payment": "Payment",
                "payment_reversal": "Payment reversed",
                "bill_cancel": "Bill cancelled (credit note)", "refund": "Refund"}


class AccountDetailView(RoleRequiredMixin, TemplateView):
    """The account in sections (overview, bills, payments, readings, statement, audit), each
    paged on its own (?bills=2): status, meter, balance, discounts, billing exceptions; the
    statement is the ledger with the running balance (computed by the view), newest first."""
    roles = READ
    template_name = "billing/account_detail.html"

    def get_context_data(self, **kwargs):
        account = selectors.get_account(account_id=self.kwargs["account_id"])
        if account is None:
            raise Http404("No such account")
        aid = account.account_id
        rows = selectors.account_rows(account_id=aid)
        pages = {name: paging.page(self.request, qs, name,
                                   default="last" if name == "statement" else 1)
                 for name, qs in rows.items()}
        for e in pages["statement"]:
            e.entry_words = LEDGER_WORDS.get(e.entry_type, e.entry_type)
        exceptions = selectors.account_exceptions(account_id=aid)
        for x in exceptions:        # in words, as on the run's page; its days as days
            x.words = EXCEPTION_WORDS.get(x.code, (x.code, ""))[0]
            x.detail_words = formatting.days_in(x.detail)
        return super().get_context_data(
            account=account, customer=selectors.get_customer(customer_id=account.customer_id),
            balance=selectors.account_balance(account_id=aid),
            statement=pages["statement"], bills=pages["bills"], payments=pages["payments"],
            readings=pages["readings"],
            refunds=selectors.account_refunds(account_id=aid),
            final_bill=selectors.final_bill(account_id=aid) if account.closed_on else None,
            discounts=selectors.account_discounts(account_id=aid),
            exceptions=exceptions, **kwargs)


class OpenAccountView(ObjectFormView):
    form_class = forms.OpenAccountForm
    submit = "Open account"

    def load(self):
        self.account = None
        self.customer = selectors.get_customer(customer_id=self.kwargs["customer_id"])
        if self.customer is None:
            raise Http404("No such customer")
        self.title = f"Open an account for {self.customer.full_name}"

    def get_initial(self):
        return {"service_address": self.customer.address or ""}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tariffs": selectors.tariff_choices()}

    def cancel_url(self):
        return reverse("billing:customer_detail", args=[self.customer.customer_id])

    def call(self, form):
        return services.open_account(customer_id=self.customer.customer_id, **form.cleaned_data,
                                     actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Account {result['account_no']} opened.")
        return redirect("billing:account_detail", account_id=result["account_id"])


class InstallMeterView(ObjectFormView):
    form_class = forms.InstallMeterForm
    submit = "Install meter"

    def load(self):
        super().load()
        self.title = f"Install a meter on account {self.account.account_no}"

    def call(self, form):
        return services.install_meter(account_id=self.account.account_id, **form.cleaned_data,
                                      actor=self.actor())

    def succeed(self, form, result):
        return self.done(f"Meter {form.cleaned_data['serial_no']} installed.")


class AssignDiscountView(ObjectFormView):
    roles = ADMIN
    form_class = forms.AssignDiscountForm
    submit = "Assign discount"

    def load(self):
        super().load()
        self.title = f"Assign a discount to account {self.account.account_no}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "discounts": selectors.discounts()}

    def get_initial(self):
        # a closed account takes days up to its last one (assign_discount): start there
        if self.account.closed_on:
            return {"valid_from": self.account.closed_on}
        return super().get_initial()

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.account.closed_on:
            form.fields["valid_from"].help_text = (
                f"The account is closed: a day up to its last day, "
                f"{formatting.day(self.account.closed_on)}, for a bill of those days not "
                "issued yet or issued again.")
        return form

    def call(self, form):
        return services.assign_discount(account_id=self.account.account_id, **form.cleaned_data,
                                        actor=self.actor())

    def succeed(self, form, result):
        return self.done(f"Discount {form.cleaned_data['discount_code']} assigned.")


class BillAccountView(ObjectFormView):
    roles = ADMIN
    form_class = forms.BillingPeriodForm
    submit = "Bill this account"

    def load(self):
        super().load()
        self.title = f"Bill account {self.account.account_no}"

    def call(self, form):
        return services.bill_account(account_id=self.account.account_id, **form.cleaned_data,
                                     actor=self.actor())

    def succeed(self, form, result):
        if result["bill_id"] is None:
            why = [exception_sentence(x.code, x.detail)
                   for x in selectors.run_exceptions(run_id=result["run_id"])]
            messages.warning(self.request, why[0] if why else "The account was not billed.")
            return redirect("billing:account_detail", account_id=self.account.account_id)
        return self.done("Bill created.")
