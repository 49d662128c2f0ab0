"""An account's lifecycle at the counter (issue 19): exchange its meter, close it with its final
reading. Each form calls the procedures of the contract (exchange_meter; record_reading then
close_account) through billing.services; refusals go onto the field they concern through
billing.errors.add_to_form, as the error map's sentences."""
import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from billing import formatting, selectors, services
from billing.errors import BillingError, add_to_form
from billing.forms import NOT_A_DAY, PlainDecimalField, dial_digits_field, serial_no_field
from billing.roles import ADMIN, DESK
from billing.views.common import ObjectFormView


def _date(label, **kw):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": NOT_A_DAY}, **kw)


def _register(label, **kw):
    return PlainDecimalField(label=label, max_digits=12, decimal_places=2, **kw)


class ExchangeMeterForm(forms.Form):
    """Field names are exchange_meter's parameters without p_ (so a message naming one lands on
    it)."""
    old_final_read = _register("Final read of the old meter")
    exchanged_on = _date("Exchange date", initial=datetime.date.today,
                         help_text="Not after today. The old meter is removed and the new one "
                                   "installed on this day.")
    new_serial_no = serial_no_field("New meter serial number")
    new_dial_digits = dial_digits_field("New meter dial digits", initial=6)
    new_multiplier = PlainDecimalField(label="New meter multiplier (CT ratio)", max_digits=8,
                                       decimal_places=2, initial=1)
    new_initial_read = _register("New meter initial read", initial=0)

    def clean_exchanged_on(self):
        value = self.cleaned_data["exchanged_on"]
        if value > datetime.date.today():
            raise forms.ValidationError("The exchange date cannot be after today.")
        return value


class CloseAccountForm(forms.Form):
    final_read = _register("Final meter reading (optional)", required=False,
                           help_text="The register on the last day of service. Leave empty to "
                                     "let the final bill estimate it.")
    closed_on = _date("Last day of service", initial=datetime.date.today,
                      help_text="Not after today.")


class ExchangeMeterView(ObjectFormView):
    """Clerks and billing admins: the old meter's final read and the new meter, in one call of
    exchange_meter. An account without a meter (none installed yet, or closed) gets no form:
    the page says why and, for an open account, links "Install a meter"."""
    roles = DESK
    form_class = ExchangeMeterForm
    template_name = "billing/lifecycle/exchange_meter.html"
    submit = "Exchange meter"

    def load(self):
        super().load()
        self.title = f"Exchange the meter of account {self.account.account_no}"
        self.latest = (selectors.meter_context(serial_no=self.account.serial_no)
                       if self.account.serial_no else None)

    def exchangeable(self):
        """An open account with a meter installed: what exchange_meter accepts (a closed
        account's meter was removed on its last day)."""
        return self.account.status == "open" and bool(self.account.serial_no)

    def get_context_data(self, **kwargs):
        return super().get_context_data(latest=self.latest, exchangeable=self.exchangeable(),
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.exchangeable():
            # the page offers no form then: say why there (no call, nothing to refuse twice)
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            result = services.exchange_meter(account_id=self.account.account_id,
                                             **form.cleaned_data, actor=self.actor())
        except BillingError as error:
            # the serial a 45003 is about is the new meter's
            add_to_form(form, error, field="new_serial_no"
                        if error.refusal_field == "serial_no" else None)
            return self.render_to_response(self.get_context_data(form=form, error=error))
        return self.done(
            f"Meter {self.account.serial_no} removed with a final read of "
            f"{form.cleaned_data['old_final_read']} on {formatting.day(form.cleaned_data['exchanged_on'])}; "
            f"meter {form.cleaned_data['new_serial_no'].strip()} installed "
            f"(reading #{result['final_reading_id']}).")


class CloseAccountView(ObjectFormView):
    """Clerks and billing admins: records the final reading (record_reading, dated closed_on)
    when one is given, then closes (close_account): two calls, two transactions. A closed
    account's page says where its final bill comes from and links it once it exists. The one
    way to close an account (`account_close` and `account_close_final` are this page)."""
    roles = DESK
    form_class = CloseAccountForm
    template_name = "billing/lifecycle/close_account.html"
    submit = "Record the final reading and close"

    def load(self):
        super().load()
        self.title = f"Close account {self.account.account_no}"

    def get_context_data(self, **kwargs):
        aid = self.account.account_id
        return super().get_context_data(
            balance=selectors.account_balance(account_id=aid),
            final_bill=selectors.final_bill(account_id=aid) if self.account.closed_on else None,
            **kwargs)

    def post(self, request, *args, **kwargs):
        if self.account.closed_on:
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        closed_on, value = form.cleaned_data["closed_on"], form.cleaned_data["final_read"]
        reading = None
        if value is not None:
            if not self.account.serial_no:
                form.add_error("final_read", "This account has no meter: leave the final "
                                             "reading empty.")
                return self.render_to_response(self.get_context_data(form=form))
            try:
                reading = services.record_reading(serial_no=self.account.serial_no,
                                                  read_on=closed_on, value=value,
                                                  source="field", actor=self.actor())
            except BillingError as error:
                field = {"value": "final_read", "read_on": "closed_on"}.get(error.refusal_field)
                add_to_form(form, error, field=field or "final_read",
                            text=error.sentence + " Nothing was recorded and the account is "
                                                  "still open.")
                return self.render_to_response(self.get_context_data(form=form, error=error))
        try:
            services.close_account(account_id=self.account.account_id, closed_on=closed_on,
                                   actor=self.actor())
        except BillingError as error:
            text = error.sentence
            if reading is not None:
                text += (f" The final reading {value} dated {formatting.day(closed_on)} was recorded "
                         f"(reading #{reading['reading_id']}, {reading['status']}) and stays; the "
                         "account is still open. Correct the problem and close again with the "
                         "final reading left empty.")
            add_to_form(form, error, field="closed_on" if error.refusal_field == "closed_on"
                        else "", text=text)
            return self.render_to_response(self.get_context_data(form=form, error=error))
        text = f"Account {self.account.account_no} closed (last day {formatting.day(closed_on)})."
        if reading is not None:
            text += f" Final reading {value} recorded."
        messages.success(self.request, text)
        if reading is not None and reading["status"] == "review":
            messages.warning(self.request, "The final reading went to review: the final bill "
                                           "waits until the reading is approved or rejected.")
        return redirect("billing:account_close_final", account_id=self.account.account_id)
