"""Previews of billing runs (issue 20 §1): "Preview run" is the first step of starting a run.
The start form posts here; preview_billing computes what the run would bill (nothing is issued)
and the preview page shows the summary, the flagged and estimated bills with their previous bill
beside them (paged, filtered, CSV), each previewed bill's lines, and the exceptions with what
resolves them. "Issue these bills" starts the real run for the same arguments (billing.runs,
the way runs start); its page then says how its counts differ from the preview's. "Discard"
calls discard_preview. Billing admins only, like starting a run.

The preview runs in the background like a run (billing.runs.start_preview): a small one's page
comes at once, a large one shows its progress on the job page first."""
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from billing import forms as billing_forms
from billing import paging, runs, selectors, services
from billing.csv_export import csv_response
from billing.errors import BillingError, add_to_form
from billing.roles import ADMIN, RoleRequiredMixin
from billing.views.billing_runs import EXCEPTION_WORDS, BillingRunStartView

PER_PAGE = 25
CSV_COLUMNS = ["account_no", "customer_name", "period_start", "period_end", "consumption_kwh",
               "total_amount", "estimated", "flag", "prev_bill_no", "prev_consumption_kwh",
               "prev_total", "usage_effect", "other_effect"]


class PreviewFilterForm(forms.Form):
    show = forms.ChoiceField(label="Show", required=False, initial="flagged_or_estimated",
                             choices=[("flagged_or_estimated", "Flagged or estimated"),
                                      ("flagged", "Flagged"), ("estimated", "Estimated"),
                                      ("all", "All bills")])
    flag = forms.ChoiceField(label="Flag", required=False,
                             choices=[("", "Any"), ("HIGH", "HIGH: over twice the previous"),
                                      ("LOW", "LOW: under a quarter of the kWh"),
                                      ("ZERO", "ZERO: no kWh")])


def _preview_or_404(preview_id):
    preview = selectors.get_preview(preview_id=preview_id)
    if preview is None:
        raise Http404("No such preview (discarded, or older than 7 days)")
    return preview


class PreviewStartView(RoleRequiredMixin, View):
    """POST (the start form): preview_billing for the form's arguments, then the preview page.
    A refusal (45040 PERIOD_INVALID: a period not over, an issue date before today, ...) is put
    on the form through the one error map, as for a run. The preview runs in the background
    (billing.runs, like a run: it takes about as long); a small one is done within WAIT seconds
    and its page comes at once, a large one shows its progress first."""
    roles = ADMIN
    WAIT = 2.0          # seconds

    def post(self, request):
        form = billing_forms.BillingPeriodForm(request.POST)
        if not form.is_valid():
            return BillingRunStartView().again(request, form)
        job = runs.start_preview(**form.cleaned_data, actor=services.actor_for(request.user))
        job.thread.join(self.WAIT)
        if job.state == "failed" and job.error is not None and job.preview_id is None:
            add_to_form(form, job.error)
            return BillingRunStartView().again(request, form, error=job.error)
        if job.state == "completed":
            return redirect("billing:preview_detail", preview_id=job.preview_id)
        return redirect("billing:run_job", token=job.token)       # its progress, then the page


class PreviewDetailView(RoleRequiredMixin, TemplateView):
    roles = ADMIN
    template_name = "billing/preview_detail.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            preview = _preview_or_404(self.kwargs["preview_id"])
            rows = self.rows(preview, self.filters()[1])
            return csv_response(f"preview-{preview.preview_id}-bills", CSV_COLUMNS, rows)
        return super().get(request, *args, **kwargs)

    def filters(self):
        form = PreviewFilterForm(self.request.GET or None)
        cleaned = form.cleaned_data if form.is_valid() else {}
        return form, {"show": cleaned.get("show") or "flagged_or_estimated",
                      "flag": cleaned.get("flag") or None}

    @staticmethod
    def rows(preview, filters):
        return selectors.preview_bills(preview_id=preview.preview_id, **filters)

    def get_context_data(self, **kwargs):
        preview = _preview_or_404(self.kwargs["preview_id"])
        form, filters = self.filters()
        bills = paging.page(self.request, self.rows(preview, filters), "page", per_page=PER_PAGE)
        exceptions = selectors.preview_exceptions(preview_id=preview.preview_id)
        by_code = {}
        for x in exceptions:
            x.words, x.remedy = EXCEPTION_WORDS.get(x.code, (x.code, ""))
            by_code.setdefault(x.code, [x.words, 0])[1] += 1
        csv_query = self.request.GET.copy()
        csv_query.pop("page", None)
        csv_query["format"] = "csv"
        return super().get_context_data(
            preview=preview, filter_form=form, bills=bills, filters=filters,
            exceptions=exceptions, csv_query=csv_query.urlencode(),
            exceptions_by_reason=[(c, w, n) for c, (w, n) in sorted(by_code.items())], **kwargs)


class PreviewBillView(RoleRequiredMixin, TemplateView):
    """One previewed bill: its lines, with the previous bill beside it."""
    roles = ADMIN
    template_name = "billing/preview_bill.html"

    def get_context_data(self, **kwargs):
        preview = _preview_or_404(self.kwargs["preview_id"])
        bill = selectors.preview_bill(preview_id=preview.preview_id,
                                      account_id=self.kwargs["account_id"])
        if bill is None:
            raise Http404("This preview has no bill for that account")
        return super().get_context_data(
            preview=preview, bill=bill,
            lines=selectors.preview_lines(preview_id=preview.preview_id,
                                          account_id=bill.account_id), **kwargs)


class PreviewIssueView(RoleRequiredMixin, View):
    """POST "Issue these bills": the real run for the preview's arguments, started in the
    background the way every run starts (billing.runs); the run's results count. A preview of
    no bill has nothing to issue (the page offers no button): it says so and starts nothing."""
    roles = ADMIN

    def post(self, request, preview_id):
        preview = _preview_or_404(preview_id)
        if not preview.bills:
            # the page offers no "Issue these bills" then: a run would issue what the preview
            # did not show, or nothing
            messages.info(request, "Nothing to issue: this preview has no bill. Resolve its "
                                   "exceptions, then preview the period again.")
            return redirect("billing:preview_detail", preview_id=preview.preview_id)
        try:
            job = runs.start(period_start=preview.period_start, period_end=preview.period_end,
                             issue_date=preview.issue_date, due_days=preview.due_days,
                             actor=services.actor_for(request.user),
                             preview_id=preview.preview_id)
        except runs.Busy as busy:
            messages.warning(request, "A run of this period is running already.")
            return redirect("billing:run_job", token=str(busy))
        job.thread.join(BillingRunStartView.WAIT_FOR_QUICK_REFUSAL)
        if job.state == "failed" and job.error is not None and job.run_id is None:
            messages.error(request, f"Not issued: {job.failure}")
            return redirect("billing:preview_detail", preview_id=preview.preview_id)
        return redirect("billing:run_job", token=job.token)


class PreviewDiscardView(RoleRequiredMixin, View):
    roles = ADMIN

    def post(self, request, preview_id):
        try:
            services.discard_preview(preview_id=preview_id,
                                     actor=services.actor_for(request.user))
        except BillingError as error:
            messages.error(request, f"Not discarded: {error.sentence}")
        else:
            messages.success(request, f"Preview {preview_id} discarded: nothing was issued.")
        return redirect("billing:run_list")


def preview_differences(run, preview):
    """How a run's counts differ from the preview it issued: a list of (what, run, preview)
    for the counts that differ (compared, never computed), and the words of the first one."""
    pairs = [("billed", run.bills_created, preview.bills),
             ("estimated bills", run.estimated_bills, preview.estimated_bills),
             ("exceptions", run.exceptions, preview.exceptions),
             ("total billed", run.total_billed, preview.total_billed)]
    return [(what, r, p) for what, r, p in pairs if r != p]
