"""Back-office pages (issue 6): accounts, meters, readings upload and review, payments, billing
runs, tariffs and discounts. Same rules as views.py: forms check shape only, every change is one
procedure through services.py, refusals are shown next to the field the server names, reads go
through selectors; each view declares the roles it needs (billing/roles.py)."""
import datetime
import uuid

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from billing import csv_import, forms, runs, selectors, services
from billing.errors import BillingError
from billing.roles import ADMIN, DESK, READ, RoleRequiredMixin
from billing.views import ProcedureFormMixin


# --- accounts ---------------------------------------------------------------------------------
class AccountDetailView(RoleRequiredMixin, TemplateView):
    """The account: status, meter, balance, statement (ledger with running balance), bills,
    payments, discounts, readings, billing exceptions."""
    roles = READ
    template_name = "billing/account_detail.html"

    def get_context_data(self, **kwargs):
        account = selectors.get_account(account_id=self.kwargs["account_id"])
        if account is None:
            raise Http404("No such account")
        aid = account.account_id
        return super().get_context_data(
            account=account, customer=selectors.get_customer(customer_id=account.customer_id),
            balance=selectors.account_balance(account_id=aid),
            statement=selectors.account_statement(account_id=aid),
            bills=selectors.account_bills(account_id=aid),
            payments=selectors.account_payments(account_id=aid),
            discounts=selectors.account_discounts(account_id=aid),
            readings=selectors.account_readings(account_id=aid),
            exceptions=selectors.account_exceptions(account_id=aid), **kwargs)


class _ObjectFormView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    """A form about one account (or customer): loads it in dispatch (404 when missing, only for
    users with the role), and renders billing/action_form.html."""
    roles = DESK
    template_name = "billing/action_form.html"
    title = submit = ""

    def load(self):
        self.account = selectors.get_account(account_id=self.kwargs["account_id"])
        if self.account is None:
            raise Http404("No such account")
        self.customer = selectors.get_customer(customer_id=self.account.customer_id)

    def dispatch(self, request, *args, **kwargs):
        if self.test_func():
            self.load()
        return super().dispatch(request, *args, **kwargs)

    def cancel_url(self):
        return reverse("billing:account_detail", args=[self.account.account_id])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            account=getattr(self, "account", None), customer=self.customer, title=self.title,
            submit=self.submit, cancel_url=self.cancel_url(), **kwargs)

    def done(self, text):
        messages.success(self.request, text)
        return redirect("billing:account_detail", account_id=self.account.account_id)


class OpenAccountView(_ObjectFormView):
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


class CloseAccountView(_ObjectFormView):
    form_class = forms.CloseAccountForm
    submit = "Close account"

    def load(self):
        super().load()
        self.title = f"Close account {self.account.account_no}"

    def call(self, form):
        return services.close_account(account_id=self.account.account_id, **form.cleaned_data,
                                      actor=self.actor())

    def succeed(self, form, result):
        return self.done(f"Account {self.account.account_no} closed "
                         f"(last day {form.cleaned_data['closed_on']:%Y-%m-%d}).")


class InstallMeterView(_ObjectFormView):
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


class AssignDiscountView(_ObjectFormView):
    roles = ADMIN
    form_class = forms.AssignDiscountForm
    submit = "Assign discount"

    def load(self):
        super().load()
        self.title = f"Assign a discount to account {self.account.account_no}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "discounts": selectors.discounts()}

    def call(self, form):
        return services.assign_discount(account_id=self.account.account_id, **form.cleaned_data,
                                        actor=self.actor())

    def succeed(self, form, result):
        return self.done(f"Discount {form.cleaned_data['discount_code']} assigned.")


class BillAccountView(_ObjectFormView):
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
            exc = selectors.account_exceptions(account_id=self.account.account_id, limit=1)
            why = f" {exc[0].code}: {exc[0].detail}" if exc else ""
            messages.warning(self.request, f"The account was not billed.{why}")
            return redirect("billing:account_detail", account_id=self.account.account_id)
        return self.done("Bill created.")


class CounterPaymentView(_ObjectFormView):
    """A payment at the counter. The form carries an idempotency key made when the form was
    shown: submitting it twice (a double click, a reload) posts one payment and shows the same
    receipt."""
    form_class = forms.CounterPaymentForm
    submit = "Take payment"
    template_name = "billing/payment_form.html"

    def load(self):
        super().load()
        self.title = f"Counter payment on account {self.account.account_no}"

    def get_initial(self):
        return {"idempotency_key": f"counter:{uuid.uuid4()}"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            balance=selectors.account_balance(account_id=self.account.account_id), **kwargs)

    def call(self, form):
        return services.post_payment(account_id=self.account.account_id,
                                     amount=form.cleaned_data["amount"],
                                     method=form.cleaned_data["method"], paid_at=None,
                                     idempotency_key=form.cleaned_data["idempotency_key"],
                                     actor=self.actor())

    def succeed(self, form, result):
        if result["replayed"]:
            messages.info(self.request, f"This payment was posted before: receipt "
                                        f"{result['receipt_no']} (not posted again).")
        else:
            messages.success(self.request, f"Payment posted: receipt {result['receipt_no']}, "
                                           f"balance after {result['balance_after']}.")
        return redirect("billing:payment_receipt", payment_id=result["payment_id"])


# --- payments ---------------------------------------------------------------------------------
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


class ReversePaymentView(_ObjectFormView):
    roles = ADMIN
    form_class = forms.ReasonForm
    submit = "Reverse payment"

    def load(self):
        self.payment = selectors.get_payment(payment_id=self.kwargs["payment_id"])
        if self.payment is None:
            raise Http404("No such payment")
        self.account = selectors.get_account(account_id=self.payment.account_id)
        self.customer = selectors.get_customer(customer_id=self.account.customer_id)
        self.title = (f"Reverse payment {self.payment.receipt_no} "
                      f"({self.payment.amount}, {self.payment.method})")

    def cancel_url(self):
        return reverse("billing:payment_receipt", args=[self.payment.payment_id])

    def call(self, form):
        return services.reverse_payment(payment_id=self.payment.payment_id,
                                        reason=form.cleaned_data["reason"], actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Payment {self.payment.receipt_no} reversed; balance "
                                       f"after {result['balance_after']}.")
        return redirect("billing:payment_receipt", payment_id=self.payment.payment_id)


class CollectionsTodayView(RoleRequiredMixin, TemplateView):
    """The day's collections by method (v_collections_daily) and its payments (?day=)."""
    roles = READ
    template_name = "billing/collections_day.html"

    def get_context_data(self, **kwargs):
        try:
            day = datetime.date.fromisoformat(self.request.GET.get("day", ""))
        except ValueError:
            day = datetime.date.today()
        payments = selectors.payments_of_day(day=day)
        accounts = selectors.accounts_by_id(account_ids=[p.account_id for p in payments])
        for p in payments:
            p.account = accounts.get(p.account_id)
        return super().get_context_data(
            day=day, by_method=selectors.collections_of_day(day=day), payments=payments,
            **kwargs)


# --- readings: CSV upload and review queue ----------------------------------------------------
class ReadingUploadView(RoleRequiredMixin, FormView):
    roles = DESK
    template_name = "billing/reading_upload.html"
    form_class = forms.ReadingUploadForm

    def form_valid(self, form):
        try:
            text = csv_import.decode(form.cleaned_data["file"].read())
        except csv_import.UploadError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        results = csv_import.import_readings(text, actor=services.actor_for(self.request.user))
        return self.render_to_response(self.get_context_data(
            form=self.form_class(), results=results, counts=csv_import.summary(results)))


class ReviewQueueView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/review_queue.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(readings=selectors.review_queue(),
                                        total=selectors.review_queue_size(),
                                        reason_form=forms.ReasonForm(), **kwargs)


class _ReviewActionView(RoleRequiredMixin, View):
    roles = DESK

    def post(self, request, reading_id):
        try:
            result = self.call(request, reading_id)
        except BillingError as error:
            messages.error(request, f"Reading {reading_id}: refused: {error.code}. "
                                    f"{error.user_message} {error.message}")
        else:
            if result is not None:
                messages.success(request, f"Reading {reading_id} {result['status']}.")
        return redirect("billing:review_queue")


class ApproveReadingView(_ReviewActionView):
    def call(self, request, reading_id):
        return services.approve_reading(reading_id=reading_id,
                                        actor=services.actor_for(request.user))


class RejectReadingView(_ReviewActionView):
    def call(self, request, reading_id):
        form = forms.ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Reading {reading_id}: a reason is needed to reject it.")
            return None
        return services.reject_reading(reading_id=reading_id, reason=form.cleaned_data["reason"],
                                       actor=services.actor_for(request.user))


# --- billing runs ----------------------------------------------------------------------------
def _last_month():
    first = datetime.date.today().replace(day=1)
    end = first - datetime.timedelta(days=1)
    return end.replace(day=1), end


class BillingRunListView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/run_list.html"

    def get_context_data(self, **kwargs):
        start, end = _last_month()
        form = kwargs.pop("form", None) or forms.BillingPeriodForm(initial={
            "period_start": start, "period_end": end, "issue_date": datetime.date.today(),
            "due_days": 14})
        return super().get_context_data(runs=selectors.billing_runs(), form=form,
                                        late_fee_form=forms.LateFeesForm(), **kwargs)


class BillingRunStartView(RoleRequiredMixin, View):
    """POST: starts run_billing in the background and shows its progress page. A refusal that
    comes at once (45040 PERIOD_INVALID) is shown on the form."""
    roles = ADMIN
    WAIT_FOR_QUICK_REFUSAL = 0.5        # seconds

    def post(self, request):
        form = forms.BillingPeriodForm(request.POST)
        if not form.is_valid():
            return self.again(request, form)
        try:
            job = runs.start(**form.cleaned_data, actor=services.actor_for(request.user))
        except runs.Busy as busy:
            messages.warning(request, "A run of this period is running already.")
            return redirect("billing:run_job", token=str(busy))
        job.thread.join(self.WAIT_FOR_QUICK_REFUSAL)
        if job.state == "failed" and job.error is not None and job.run_id is None:
            error = job.error
            field = error.field if error.field in form.fields else None
            form.add_error(field, f"{error.user_message} {error.message}")
            return self.again(request, form, error=error)
        return redirect("billing:run_job", token=job.token)

    def again(self, request, form, error=None):
        view = BillingRunListView(request=request, args=(), kwargs={})
        response = view.render_to_response(view.get_context_data(form=form, error=error))
        response.status_code = 200
        return response


class BillingRerunView(RoleRequiredMixin, View):
    """POST: runs the period of an earlier run again (bills only the accounts not billed yet)."""
    roles = ADMIN

    def post(self, request, run_id):
        run = selectors.get_run(run_id=run_id)
        if run is None:
            raise Http404("No such run")
        try:
            job = runs.start(period_start=run.period_start, period_end=run.period_end,
                             issue_date=run.issue_date, due_days=run.due_days,
                             actor=services.actor_for(request.user))
        except runs.Busy as busy:
            messages.warning(request, "A run of this period is running already.")
            return redirect("billing:run_job", token=str(busy))
        return redirect("billing:run_job", token=job.token)


class BillingJobView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/run_job.html"

    def get_context_data(self, **kwargs):
        job = runs.get(self.kwargs["token"])
        if job is None:
            raise Http404("No such job (the server may have restarted: see the list of runs)")
        return super().get_context_data(job=job, status=runs.status(job), **kwargs)


class BillingJobStatusView(RoleRequiredMixin, View):
    """The job's progress as JSON (polled by the progress page)."""
    roles = READ

    def get(self, request, token):
        job = runs.get(token)
        if job is None:
            raise Http404("No such job")
        data = runs.status(job)
        if data["run_id"]:
            data["run_url"] = reverse("billing:run_detail", args=[data["run_id"]])
        return JsonResponse(data)


class BillingRunDetailView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/run_detail.html"

    def get_context_data(self, **kwargs):
        run = selectors.get_run(run_id=self.kwargs["run_id"])
        if run is None:
            raise Http404("No such run")
        return super().get_context_data(run=run,
                                        exceptions=selectors.run_exceptions(run_id=run.run_id),
                                        **kwargs)


class BillingRunProgressView(RoleRequiredMixin, View):
    roles = READ

    def get(self, request, run_id):
        run = selectors.get_run(run_id=run_id)
        if run is None:
            raise Http404("No such run")
        return JsonResponse({"run_id": run.run_id, "status": run.status,
                             "accounts_done": run.accounts_done,
                             "accounts_total": run.accounts_total,
                             "bills_created": run.bills_created,
                             "accounts_skipped": run.accounts_skipped,
                             "total_billed": str(run.total_billed),
                             "exceptions": run.exceptions})


class LateFeesView(RoleRequiredMixin, View):
    roles = ADMIN

    def post(self, request):
        form = forms.LateFeesForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Late fees: give the date (as of).")
            return redirect("billing:run_list")
        try:
            r = services.apply_late_fees(as_of=form.cleaned_data["as_of"],
                                         actor=services.actor_for(request.user))
        except BillingError as error:
            messages.error(request, f"Refused: {error.code}. {error.user_message} {error.message}")
        else:
            messages.success(request, f"Late fees applied as of {form.cleaned_data['as_of']}: "
                                      f"{r['bills_charged']} bills charged, {r['total_fees']} "
                                      "in fees.")
        return redirect("billing:run_list")


# --- tariffs and discounts -------------------------------------------------------------------
class TariffListView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/tariff_list.html"

    def get_context_data(self, **kwargs):
        tariffs = selectors.tariffs()
        for tariff, _ in tariffs:       # a code from before the code rule has no editor link
            tariff.linkable = bool(forms.CODE_RE.fullmatch(tariff.tariff_code or ""))
        return super().get_context_data(tariffs=tariffs, discounts=selectors.discounts(),
                                        **kwargs)


class TariffCreateView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    roles = ADMIN
    template_name = "billing/action_form.html"
    form_class = forms.TariffForm
    extra_context = {"title": "New tariff", "submit": "Create tariff"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("billing:tariff_list"), **kwargs)

    def call(self, form):
        return services.create_tariff(**form.cleaned_data, actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Tariff {form.cleaned_data['code']} created: add its "
                                       "first version.")
        return redirect("billing:tariff_version_create", code=form.cleaned_data["code"])


class DiscountCreateView(TariffCreateView):
    form_class = forms.DiscountForm
    extra_context = {"title": "New discount", "submit": "Create discount"}

    def call(self, form):
        return services.create_discount(**form.cleaned_data, actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Discount {form.cleaned_data['code']} created.")
        return redirect("billing:tariff_list")


class TariffVersionCreateView(RoleRequiredMixin, FormView):
    """A new version of a tariff with its blocks (rows of up_to_kwh and rate; empty rows are
    ignored). The blocks go to add_tariff_version as JSON built from the rows; the procedure
    validates them (45031) and the start date (45030)."""
    roles = ADMIN
    template_name = "billing/tariff_version_form.html"
    form_class = forms.TariffVersionForm

    def dispatch(self, request, *args, **kwargs):
        if self.test_func():
            self.tariff = selectors.get_tariff(code=kwargs["code"])
            if self.tariff is None:
                raise Http404("No such tariff")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        t = self.tariff
        if t.tariff_version_id is None:
            return {}
        return {"fixed_charge": t.fixed_charge, "tax_rate_pct": t.tax_rate_pct,
                "late_fee_pct": t.late_fee_pct, "early_pay_pct": t.early_pay_pct,
                "early_pay_days": t.early_pay_days}

    def blocks_formset(self):
        if self.request.method == "POST":
            return forms.BlockFormSet(self.request.POST, prefix="blocks")
        rows = [{"up_to_kwh": b.up_to_kwh, "rate": b.rate}
                for b in selectors.tariff_latest_blocks(code=self.tariff.tariff_code)]
        return forms.BlockFormSet(initial=rows or [{}], prefix="blocks")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("blocks", self.blocks_formset())
        return super().get_context_data(tariff=self.tariff, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("add_row"):                 # the block editor's "add a row"
            data = request.POST.copy()
            total = forms.posted_total_forms(data)
            initial = {k: v for k, v in request.POST.items() if k in self.form_class.base_fields}
            return self.render_to_response(self.get_context_data(
                form=self.form_class(initial=initial),
                blocks=forms.BlockFormSet(initial=[
                    {"up_to_kwh": data.get(f"blocks-{i}-up_to_kwh"),
                     "rate": data.get(f"blocks-{i}-rate")} for i in range(total)]
                    + ([{}] if total < forms.MAX_BLOCKS else []),
                    prefix="blocks")))
        form = self.get_form()
        blocks = self.blocks_formset()
        rows_ok = forms.total_forms_ok(request.POST)
        if not (form.is_valid() and rows_ok and blocks.is_valid()):
            if not rows_ok:                     # a forged or broken TOTAL_FORMS
                form.add_error(None, "The block rows could not be read: enter them again.")
                total = max(1, forms.posted_total_forms(request.POST))
                blocks = forms.BlockFormSet(initial=[
                    {"up_to_kwh": request.POST.get(f"blocks-{i}-up_to_kwh"),
                     "rate": request.POST.get(f"blocks-{i}-rate")} for i in range(total)],
                    prefix="blocks")
            return self.render_to_response(self.get_context_data(form=form, blocks=blocks))
        rows = [{"up_to_kwh": b.cleaned_data.get("up_to_kwh"), "rate": b.cleaned_data["rate"]}
                for b in blocks.forms
                if b.cleaned_data and not (b.cleaned_data.get("up_to_kwh") is None
                                           and b.cleaned_data.get("rate") is None)]
        try:
            services.add_tariff_version(tariff_code=self.tariff.tariff_code, **form.cleaned_data,
                                        blocks=rows, actor=services.actor_for(request.user))
        except BillingError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, f"{error.user_message} {error.message}")
            return self.render_to_response(self.get_context_data(form=form, blocks=blocks,
                                                                 error=error))
        messages.success(request, f"Tariff {self.tariff.tariff_code}: version from "
                                  f"{form.cleaned_data['effective_from']:%Y-%m-%d} added.")
        return redirect("billing:tariff_list")
