"""Meter readings: entry of one, its page, CSV upload, the review queue with approve/reject."""
import datetime
import logging
import re

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from billing import csv_import, formatting, forms, paging, selectors, services
from billing.csv_export import table_csv_response
from billing.errors import BillingError
from billing.forms import ReadingForm
from billing.roles import ADMIN, DESK, READ, RoleRequiredMixin, can
from billing.views.common import ProcedureFormMixin, path_for

audit_log = logging.getLogger("billing.audit")


class ReadingEntryView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    roles = DESK
    template_name = "billing/reading_form.html"
    form_class = ReadingForm

    def get_initial(self):
        initial = {"serial_no": self.request.GET.get("serial_no", "")}
        try:                             # "enter the right value" after a misread: its day
            initial["read_on"] = datetime.date.fromisoformat(self.request.GET.get("read_on", ""))
        except ValueError:
            pass
        source = self.request.GET.get("source", "")     # and its source, one of the form's
        if source in dict(ReadingForm.base_fields["source"].choices):
            initial["source"] = source
        return initial

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        serial = (form.data.get("serial_no") if form is not None and form.is_bound
                  else self.request.GET.get("serial_no", ""))
        from billing.views.bills import true_down_offer     # below an estimate: the way out
        kwargs.setdefault("true_down", form and true_down_offer(form, kwargs.get("error")))
        return super().get_context_data(meter=selectors.meter_context(serial_no=serial),
                                        today=datetime.date.today(), **kwargs)

    def call(self, form):
        return services.record_reading(**form.procedure_arguments(), actor=self.actor())

    def succeed(self, form, result):
        status = result["status"]
        text = (f"Reading recorded: {formatting.kwh(result['consumption_kwh'])} since the previous "
                f"reading, status {status}.")
        if status == "review":
            messages.warning(self.request, text + " It needs review (unusually high use) before "
                             "it can be billed.")
        else:
            messages.success(self.request, text)
        return redirect("billing:reading_detail", reading_id=result["reading_id"])


class MeterContextView(RoleRequiredMixin, View):
    """GET ?serial_no=: the meter's context as JSON, for the reading entry form's panel and its
    warnings (v_staff_meter_context; numbers as strings, exactly as the view gives them)."""
    roles = DESK

    def get(self, request):
        m = selectors.meter_context(serial_no=request.GET.get("serial_no", ""))
        if m is None:
            return JsonResponse({"found": False})
        return JsonResponse({"found": True, **{k: (None if v is None else str(v)) for k, v in {
            "serial_no": m.serial_no, "dial_digits": m.dial_digits, "multiplier": m.multiplier,
            "capacity": m.capacity, "last_read_on": m.last_read_on, "last_register": m.last_register,
            "last_status": m.last_status, "history_days": m.history_days,
            "history_kwh": m.history_kwh, "daily_kwh": m.daily_kwh,
            "last_read_on_text": formatting.day(m.last_read_on),
            "last_register_text": formatting.kwh(m.last_register, unit=False),
            "daily_kwh_text": formatting.kwh(m.daily_kwh)}.items()}})


class ReadingDetailView(RoleRequiredMixin, TemplateView):
    """A reading, and for the desk what can be done about it (v_staff_reading_correction): in
    review, approve (four eyes) or reject; accepted and actual, reject it as a misread so that
    the right value can be entered (billing-rules.md, "Corrections"), or why not (a bill ends on
    it, a later reading follows, an exchange's final read). The forms post to the review
    queue's actions, which come back here."""
    template_name = "billing/reading_detail.html"

    def get_context_data(self, **kwargs):
        reading = selectors.get_reading(reading_id=self.kwargs["reading_id"])
        if reading is None:
            raise Http404("No such reading")
        account = reading.account_id and selectors.get_account(account_id=reading.account_id)
        customer = account and selectors.get_customer(customer_id=account.customer_id)
        return super().get_context_data(
            reading=reading, account=account, customer=customer,
            correction=selectors.reading_correction(reading_id=reading.reading_id),
            own=entered_by_self(self.request.user, reading),
            can_approve_own=can(self.request.user, ADMIN),
            **{"reason_form": forms.ReasonForm(), **kwargs})


class ReadingUploadView(RoleRequiredMixin, FormView):
    """CSV upload of readings in two steps: the file is checked first (preview_readings: what
    recording it would do to each row, nothing kept), then "Record these rows" records it
    (record_reading per row). The refused rows can be downloaded to fix and upload again; each
    upload is in the audit trail (web_readings_uploaded), which the page lists as the history."""
    roles = DESK
    template_name = "billing/reading_upload.html"
    form_class = forms.ReadingUploadForm
    REFUSED_KEY = "reading_upload_refused"

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "record":
            return self.record(request.POST.get("csv_text", ""), request.POST.get("file_name", ""))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            text = csv_import.decode(upload.read())
            results = csv_import.preview_readings(text,
                                                  actor=services.actor_for(self.request.user))
        except csv_import.UploadError as error:       # not text, or not readable as CSV
            form.add_error("file", str(error))
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(
            form=form, results=results, counts=csv_import.summary(results), preview=True,
            csv_text=text, file_name=upload.name[:100]))

    def record(self, text, file_name):
        actor = services.actor_for(self.request.user)
        try:
            results = csv_import.import_readings(text, actor=actor)
        except csv_import.UploadError as error:     # a text not from the preview: nothing recorded
            messages.error(self.request, f"{error} Nothing was recorded.")
            return redirect("billing:reading_upload")
        counts = csv_import.summary(results)
        self.request.session[self.REFUSED_KEY] = csv_import.refused_rows(results)
        services.record_audit_event(action="web_readings_uploaded", object="reading_upload",
                                    key=datetime.datetime.now().strftime("%Y%m%d%H%M%S"),
                                    detail={"file": file_name, **counts}, actor=actor)
        return self.render_to_response(self.get_context_data(
            form=self.form_class(), results=results, counts=counts, preview=False))

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=selectors.reading_uploads(), **kwargs)


class ReadingUploadTemplateView(RoleRequiredMixin, View):
    """The upload's format as a CSV to fill in: the header and two example rows."""
    roles = DESK

    def get(self, request):
        header, *rows = csv_import.TEMPLATE_ROWS
        return table_csv_response("readings-template", header, rows)


class ReadingUploadRefusedView(RoleRequiredMixin, View):
    """The refused rows of this user's last upload, in the upload's format, to fix and upload
    again (kept in the session; 404 when there are none)."""
    roles = DESK

    def get(self, request):
        rows = request.session.get(ReadingUploadView.REFUSED_KEY)
        if not rows:
            raise Http404("No refused rows")
        return table_csv_response("readings-refused", ["serial", "date", "value", "source"], rows)


class ReviewQueueView(RoleRequiredMixin, TemplateView):
    """The readings waiting in review, oldest first, PER_PAGE a page (?page=N; "Page N of M"),
    each with its account, the meter's usual use and previous readings, approve and reject.
    A decision comes back to the page it was taken on (the rows after it move up)."""
    roles = READ
    template_name = "billing/review_queue.html"
    PER_PAGE = 25

    def get_context_data(self, **kwargs):
        page = paging.page(self.request, selectors.review_queue(), "page",
                           per_page=self.PER_PAGE)
        readings = selectors.review_queue_rows(reading_ids=page.object_list)
        paths = {name: path_for(f"billing:{name}")
                 for name in ("reading_detail", "account_detail", "reading_approve",
                              "reading_reject")}
        for r in readings:          # what {% review_queue_rows %} writes (templatetags)
            r.own = entered_by_self(self.request.user, r)
            r.path = paths["reading_detail"](r.reading_id)
            r.account_path = r.account_id and paths["account_detail"](r.account_id)
            r.approve_path = paths["reading_approve"](r.reading_id)
            r.reject_path = paths["reading_reject"](r.reading_id)
        return super().get_context_data(readings=readings, page=page,
                                        can_approve_own=can(self.request.user, ADMIN),
                                        total=page.paginator.count,
                                        reason_form=forms.ReasonForm(), **kwargs)


class _ReviewActionView(RoleRequiredMixin, View):
    roles = DESK

    def post(self, request, reading_id):
        try:
            result = self.call(request, reading_id)
        except BillingError as error:
            messages.error(request, f"Reading {reading_id} was not changed: {error.sentence}")
        else:
            if result is not None:
                messages.success(request, f"Reading {reading_id} {result['status']}.")
        return self.back(request, reading_id)

    def back(self, request, reading_id):
        """Back where the action came from: the reading's page, or the reviewer's queue page."""
        if (request.POST.get("back") == "reading"         # from the reading's own page
                and selectors.get_reading(reading_id=reading_id) is not None):
            return redirect("billing:reading_detail", reading_id=reading_id)
        url = reverse("billing:review_queue")
        page = request.POST.get("page", "")
        # back to the reviewer's page (a number the queue's pager made; anything else: the first)
        if re.fullmatch(r"[1-9][0-9]{0,8}", page) and page != "1":
            url += f"?page={page}"
        return redirect(url)


def entered_by_self(user, reading):
    """True when `user` recorded the reading (its recorded_by is the user's actor)."""
    return reading is not None and reading.recorded_by == services.actor_for(user)


class ApproveReadingView(_ReviewActionView):
    """Four eyes: a clerk cannot approve a reading in review that they entered themselves; a
    billing admin can, and the approval is logged (the reading keeps recorded_by and
    reviewed_by, both the same actor). The rule is the web layer's because roles are: the
    database knows actors, not roles (docs/backoffice.md)."""

    def call(self, request, reading_id):
        actor = services.actor_for(request.user)
        reading = selectors.get_reading(reading_id=reading_id)
        if entered_by_self(request.user, reading):
            if not can(request.user, ADMIN):
                messages.error(request, f"Reading {reading_id}: you entered it, so another "
                                        "clerk or a billing admin must approve it.")
                return None
            audit_log.warning("reading %s approved by %s, who entered it (billing admin)",
                              reading_id, actor)
        return services.approve_reading(reading_id=reading_id, actor=actor)


class RejectReadingView(_ReviewActionView):
    """No reason: back to the queue with "a reason is needed". A reason the form refuses
    otherwise (longer than reject_reason's 500 characters) is said on the queue's page, next to
    the reason as typed (kept, to shorten), with its own Reject button: the queue's rows are
    written by the review_queue tag with an empty reason box."""

    def post(self, request, reading_id):
        form = forms.ReasonForm(request.POST)
        if not form.is_valid() and not form.has_error("reason", "required"):
            reading = selectors.get_reading(reading_id=reading_id)
            if reading is not None and reading.status in ("rejected", "void"):
                # rejected meanwhile (another clerk, a second click): no form to show the reason
                # in again, so say what the reading is now
                messages.error(request, f"Reading {reading_id} was not changed: it is "
                                        f"{reading.status} already.")
                return self.back(request, reading_id)
            if request.POST.get("back") == "reading":       # the page again, the reason kept
                page = ReadingDetailView()
                page.setup(request, reading_id=reading_id)
                return page.render_to_response(page.get_context_data(reason_form=form))
            return self.refused(request, reading_id, form)
        return super().post(request, reading_id)

    def refused(self, request, reading_id, form):
        queue = ReviewQueueView()
        queue.setup(request)
        page = request.POST.get("page", "")
        page = page if re.fullmatch(r"[1-9][0-9]{0,8}", page) else ""
        cancel = reverse("billing:review_queue") + (f"?page={page}" if page not in ("", "1")
                                                    else "")
        context = queue.get_context_data(
            reject_form=form, reject_reading_id=reading_id, reject_page=page,
            reject_path=reverse("billing:reading_reject", args=[reading_id]),
            reject_cancel=cancel, reject_reading=selectors.get_reading(reading_id=reading_id))
        return queue.render_to_response(context)

    def call(self, request, reading_id):
        form = forms.ReasonForm(request.POST)
        if not form.is_valid():                             # no reason (any other: post)
            messages.error(request, f"Reading {reading_id}: a reason is needed to reject it.")
            return None
        return services.reject_reading(reading_id=reading_id, reason=form.cleaned_data["reason"],
                                       actor=services.actor_for(request.user))
