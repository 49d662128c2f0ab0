"""Billing runs (start in the background, progress, re-run, results) and late fees."""
import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from billing import formatting, forms, paging, runs, selectors, services
from billing.errors import BillingError, add_to_form
from billing import roles
from billing.roles import ADMIN, READ, RoleRequiredMixin


def _last_month():
    first = datetime.date.today().replace(day=1)
    end = first - datetime.timedelta(days=1)
    return end.replace(day=1), end


# What each exception code means, in words, and what resolves it (v_billing_exceptions).
EXCEPTION_WORDS = {
    "UNBILLED_GAP": ("Days before the period are not billed yet.",
                     "Bill the earlier days first (bill the account), then run the period again."),
    "READ_NEEDS_REVIEW": ("The reading at the end of the period waits for review.",
                          "Approve or reject the reading, then run the period again."),
    "NO_TARIFF": ("A day of the period has no tariff version.",
                  "Add a tariff version covering the period, then run it again."),
    "LATER_PERIOD_BILLED": ("The account already has a bill for a later period.",
                            "Nothing to bill: check the account's bills."),
    "ESTIMATE_CONFLICT": ("An estimate would lie above a later actual reading.",
                          "Check the account's readings, then run the period again."),
    "NEGATIVE_TOTAL": ("Discounts exceed the charges: the bill would be negative.",
                       "Check the account's discounts."),
    "ACCOUNT_NOT_OPEN": ("The account is not open in the period.", "Check the account."),
    "NO_METER": ("The account has no meter installed at the end of the period.",
                 "Install a meter on the account."),
    "ALREADY_BILLED": ("The account already has a bill for the period.", "Nothing to do."),
}


def exception_sentence(code, detail):
    """Why one account was not billed, in one sentence for a message: what happened, the
    database's detail when it tells more (which days, which reading; its days as days), and what
    resolves it."""
    words, remedy = EXCEPTION_WORDS.get(code, (None, ""))
    if words is None:
        return f"The account was not billed: {formatting.days_in(detail)}."
    more = f" ({formatting.days_in(detail)})" if detail and code != "ALREADY_BILLED" else ""
    return f"The account was not billed. {words.rstrip('.')}{more}. {remedy}".strip()


def _runnable_period():
    """The start form's default period: last month, unless a run billed it already (then none:
    the admin picks one rather than running a billed month again by accident)."""
    start, end = _last_month()
    done = selectors.period_run(period_start=start, period_end=end)
    if done is not None:
        return None, None, done
    return start, end, None


class BillingRunListView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/run_list.html"

    def get_context_data(self, **kwargs):
        start, end, billed_by = _runnable_period()
        form = kwargs.pop("form", None) or forms.BillingPeriodForm(initial={
            "period_start": start, "period_end": end, "issue_date": datetime.date.today(),
            "due_days": 14})
        previews = roles.can(self.request.user, ADMIN) and selectors.recent_previews()
        late_fee_form = kwargs.pop("late_fee_form", None) or forms.LateFeesForm()
        return super().get_context_data(runs=selectors.billing_runs(), form=form,
                                        previews=previews or [],
                                        last_month_run=billed_by,
                                        late_fee_form=late_fee_form, **kwargs)

    @classmethod
    def with_late_fee_form(cls, request, late_fee_form):
        """The runs page again, its late-fee form as sent, with the error on its field (the
        typed day kept); the field has the focus, so the browser shows it (the late fees are
        below the start form)."""
        late_fee_form.fields["as_of"].widget.attrs["autofocus"] = True
        view = cls(request=request, args=(), kwargs={})
        response = view.render_to_response(view.get_context_data(late_fee_form=late_fee_form))
        response.status_code = 200
        return response


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
            add_to_form(form, error)
            return self.again(request, form, error=error)
        return redirect("billing:run_job", token=job.token)

    def again(self, request, form, error=None):
        view = BillingRunListView(request=request, args=(), kwargs={})
        response = view.render_to_response(view.get_context_data(form=form, error=error))
        response.status_code = 200
        return response


class BillingRerunView(RoleRequiredMixin, View):
    """POST: runs the period of an earlier run again (bills only the accounts not billed yet),
    with the issue date and due days given on the form (today by default), never the first
    run's issue date: bills issued in the past would be overdue at once."""
    roles = ADMIN

    def post(self, request, run_id):
        run = selectors.get_run(run_id=run_id)
        if run is None:
            raise Http404("No such run")
        form = forms.RerunForm(request.POST)
        if not form.is_valid():
            return BillingRunDetailView.again(request, run_id, form)
        try:
            job = runs.start(period_start=run.period_start, period_end=run.period_end,
                             issue_date=form.cleaned_data["issue_date"],
                             due_days=form.cleaned_data["due_days"],
                             actor=services.actor_for(request.user))
        except runs.Busy as busy:
            messages.warning(request, "A run of this period is running already.")
            return redirect("billing:run_job", token=str(busy))
        job.thread.join(BillingRunStartView.WAIT_FOR_QUICK_REFUSAL)
        if job.state == "failed" and job.error is not None and job.run_id is None:
            add_to_form(form, job.error)
            return BillingRunDetailView.again(request, run_id, form, error=job.error)
        return redirect("billing:run_job", token=job.token)


class BillingRunResumeView(RoleRequiredMixin, View):
    """POST: works a run that is still running, in this process (work_billing_run): after the
    process that started it stopped, the run goes on from the chunks left; while others work it,
    this only helps. Nothing is billed twice either way."""
    roles = ADMIN

    def post(self, request, run_id):
        run = selectors.get_run(run_id=run_id)
        if run is None:
            raise Http404("No such run")
        if run.status != "running":
            messages.info(request, f"Billing run {run.run_id} is {run.status}: nothing to "
                                   "continue.")
            return redirect("billing:run_detail", run_id=run.run_id)
        try:
            job = runs.resume(run=run, actor=services.actor_for(request.user))
        except runs.Busy as busy:
            messages.info(request, "This server is working this run already.")
            return redirect("billing:run_job", token=str(busy))
        return redirect("billing:run_job", token=job.token)


class BillingJobView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/run_job.html"

    def get_context_data(self, **kwargs):
        job = runs.get(self.kwargs["token"])
        if job is None:
            raise Http404("No such job (the server may have restarted: see the list of runs)")
        status = runs.status(job)
        return super().get_context_data(
            job=job, status=status,
            run_url=job_result_url(job, status),
            progress_label=("Accounts previewed" if job.kind == "preview"
                            else "Accounts worked through"),
            done_text="See the preview" if job.kind == "preview" else None, **kwargs)


class BillingJobStatusView(RoleRequiredMixin, View):
    """The job's progress as JSON (polled by the progress page)."""
    roles = READ

    def get(self, request, token):
        job = runs.get(token)
        if job is None:
            raise Http404("No such job")
        data = runs.status(job)
        data["run_url"] = job_result_url(job, data)
        return JsonResponse(data)


def job_result_url(job, status):
    """Where the job's results are: the preview's page for a preview, the run's page for a run
    (None while not known yet)."""
    if job.kind == "preview":
        return status["preview_id"] and reverse("billing:preview_detail",
                                                args=[status["preview_id"]])
    return status["run_id"] and run_url(status["run_id"], job.preview_id)


def run_url(run_id, preview_id=None):
    """The run's page; after "Issue these bills", with the preview to compare its counts with."""
    url = reverse("billing:run_detail", args=[run_id])
    return f"{url}?preview={preview_id}" if preview_id else url


class BillingRunDetailView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/run_detail.html"

    def get_context_data(self, **kwargs):
        run = selectors.get_run(run_id=self.kwargs["run_id"])
        if run is None:
            raise Http404("No such run")
        exceptions = selectors.run_exceptions(run_id=run.run_id)
        by_code = {}
        for x in exceptions:
            x.words, x.remedy = EXCEPTION_WORDS.get(x.code, (x.code, ""))
            by_code.setdefault(x.code, [x.words, 0])[1] += 1
        # skipped accounts without an exception row were billed meanwhile by another run
        meanwhile = run.accounts_skipped - len(exceptions)
        rerun_form = kwargs.pop("rerun_form", None) or forms.RerunForm(
            initial={"issue_date": datetime.date.today(), "due_days": run.due_days})
        preview, differences = self.preview_comparison(run)
        return super().get_context_data(
            progress_text=runs.progress_text(done=run.accounts_done, total=run.accounts_total,
                                             state=run.status, billed=run.bills_created,
                                             skipped=run.accounts_skipped),
            preview=preview, preview_differences=differences,
            run=run, exceptions=exceptions, rerun_form=rerun_form,
            skipped_by_reason=[(code, words, n) for code, (words, n) in sorted(by_code.items())],
            billed_meanwhile=max(meanwhile, 0), **kwargs)

    def preview_comparison(self, run):
        """(the preview this run issued, its differing counts) when the page is opened from
        "Issue these bills" (?preview=N) for a preview of the same arguments; else (None, [])."""
        from billing.views.previews import preview_differences
        number = self.request.GET.get("preview", "")
        preview = number.isdigit() and selectors.get_preview(preview_id=int(number))
        if not preview or (preview.period_start, preview.period_end, preview.issue_date) != (
                run.period_start, run.period_end, run.issue_date):
            return None, []
        return preview, preview_differences(run, preview)

    @classmethod
    def again(cls, request, run_id, form, error=None):
        view = cls(request=request, args=(), kwargs={"run_id": run_id})
        response = view.render_to_response(view.get_context_data(rerun_form=form, error=error))
        response.status_code = 200
        return response


class BillingRunProgressView(RoleRequiredMixin, View):
    roles = READ

    def get(self, request, run_id):
        run = selectors.get_run(run_id=run_id)
        if run is None:
            raise Http404("No such run")
        return JsonResponse({"run_id": run.run_id, "status": run.status,
                             "accounts_done": run.accounts_done,
                             "accounts_total": run.accounts_total,
                             "progress_text": runs.progress_text(
                                 done=run.accounts_done, total=run.accounts_total,
                                 state=run.status, billed=run.bills_created,
                                 skipped=run.accounts_skipped),
                             "bills_created": run.bills_created,
                             "accounts_skipped": run.accounts_skipped,
                             "total_billed": str(run.total_billed),
                             "exceptions": run.exceptions})


class LateFeesPreviewView(RoleRequiredMixin, TemplateView):
    """GET ?as_of=: which bills apply_late_fees would charge and how much (preview_late_fees,
    the same selection), with "Apply these late fees" below. Nothing is charged."""
    roles = ADMIN
    template_name = "billing/late_fees_preview.html"

    def get(self, request, *args, **kwargs):
        form = forms.LateFeesForm(request.GET)
        if not form.is_valid():
            return BillingRunListView.with_late_fee_form(request, form)
        try:
            rows = services.preview_late_fees(as_of=form.cleaned_data["as_of"],
                                              actor=services.actor_for(request.user))
        except BillingError as error:
            add_to_form(form, error)
            return BillingRunListView.with_late_fee_form(request, form)
        bills = Paginator(rows, 50).get_page(request.GET.get("page"))
        other = request.GET.copy()
        other.pop("page", None)
        bills.param, bills.query = "page", other.urlencode()
        return self.render_to_response(self.get_context_data(
            as_of=form.cleaned_data["as_of"], bills=bills, count=len(rows), **kwargs))


class LateFeesView(RoleRequiredMixin, View):
    """POST: apply_late_fees, then the list of the bills this call charged."""
    roles = ADMIN

    def post(self, request):
        form = forms.LateFeesForm(request.POST)
        if not form.is_valid():
            return BillingRunListView.with_late_fee_form(request, form)
        actor = services.actor_for(request.user)
        after = selectors.latest_late_fee_entry()
        try:
            r = services.apply_late_fees(as_of=form.cleaned_data["as_of"], actor=actor)
        except BillingError as error:
            add_to_form(form, error)
            return BillingRunListView.with_late_fee_form(request, form)
        n = r["bills_charged"]
        messages.success(request, f"Late fees applied as of "
                                  f"{formatting.day(form.cleaned_data['as_of'])}: "
                                  + ngettext("%(n)d bill charged", "%(n)d bills charged", n)
                                  % {"n": n} + f", {formatting.money(r['total_fees'])} in fees.")
        query = urlencode({"as_of": form.cleaned_data["as_of"], "after": after, "by": actor})
        return redirect(reverse("billing:late_fees_charged") + "?" + query)


class LateFeesChargedView(RoleRequiredMixin, TemplateView):
    """The bills one apply_late_fees call charged (v_staff_late_fee: the ledger debits dated
    as_of by the caller, after the entry that was the latest before the call), paged."""
    roles = ADMIN
    template_name = "billing/late_fees_charged.html"

    def get_context_data(self, **kwargs):
        g = self.request.GET
        try:
            as_of = datetime.date.fromisoformat(g.get("as_of", ""))
            after = int(g.get("after", ""))
        except ValueError:
            raise Http404("Which late fees? (as_of and after are needed)")
        rows = selectors.late_fees_charged(after_entry_id=after, as_of=as_of,
                                           actor=g.get("by", ""))
        return super().get_context_data(as_of=as_of, actor=g.get("by", ""),
                                        charged=paging.page(self.request, rows, "page", per_page=50),
                                        **kwargs)
