"""Tariffs and discounts: the list (the version in force today marked, future ones "from
<date>"), new tariff, new discount, removing a tariff nothing uses, a new version with the block
editor."""
import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from billing import formatting, forms, selectors, services
from billing.errors import BillingError, add_to_form
from billing.roles import ADMIN, READ, RoleRequiredMixin
from billing.views.common import ProcedureFormMixin


class TariffListView(RoleRequiredMixin, TemplateView):
    roles = READ
    template_name = "billing/tariff_list.html"

    def get_context_data(self, **kwargs):
        tariffs = selectors.tariffs()
        today = datetime.date.today()
        for tariff, versions in tariffs:  # a code from before the code rule has no editor link
            tariff.linkable = bool(forms.CODE_RE.fullmatch(tariff.tariff_code or ""))
            mark_versions(versions, today)
        return super().get_context_data(tariffs=tariffs, discounts=selectors.discounts(),
                                        today=today, **kwargs)


def mark_versions(versions, today):
    """Sets `.state` on each version (newest first): "future" (from a day after today),
    "in_force" (the latest from today or before: the one a bill of today would use) or "past"."""
    found = False
    for v in versions:
        if v.effective_from > today:
            v.state = "future"
        elif not found:
            v.state, found = "in_force", True
        else:
            v.state = "past"


class TariffCreateView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    roles = ADMIN
    template_name = "billing/action_form.html"
    form_class = forms.TariffForm
    extra_context = {"title": "New tariff", "submit": "Create tariff"}

    code_taken = staticmethod(selectors.tariff_code_exists)

    def get_form_kwargs(self):
        # the form says on the field that the code exists, before the procedure is called
        return {**super().get_form_kwargs(), "code_taken": self.code_taken}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("billing:tariff_list"), **kwargs)

    def form_valid(self, form):
        try:
            result = self.call(form)
        except BillingError as error:
            # a concurrent create of the same code (45003) belongs on the code field too
            add_to_form(form, error, field="code" if error.code == "CONFLICT" else None)
            return self.render_to_response(self.get_context_data(form=form, error=error))
        return self.succeed(form, result)

    def call(self, form):
        return services.create_tariff(**form.cleaned_data, actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Tariff {form.cleaned_data['code']} created: add its "
                                       "first version.")
        return redirect("billing:tariff_version_create", code=form.cleaned_data["code"])


class DiscountCreateView(TariffCreateView):
    form_class = forms.DiscountForm
    code_taken = staticmethod(selectors.discount_code_exists)
    extra_context = {"title": "New discount", "submit": "Create discount"}

    def call(self, form):
        return services.create_discount(**form.cleaned_data, actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Discount {form.cleaned_data['code']} created.")
        return redirect("billing:tariff_list")


class BlockEditorMixin:
    """The block editor (rows of up_to_kwh and rate; "Add a block row"; empty rows ignored) of a
    form page: the new-version form and the what-if. `initial_blocks()` gives the rows of a
    fresh page; `editor_post()` answers "add a row" and a broken TOTAL_FORMS, or returns None
    and leaves the valid rows in `self.block_rows`."""

    def initial_blocks(self):
        return []

    def blocks_formset(self):
        if self.request.method == "POST":
            return forms.BlockFormSet(self.request.POST, prefix="blocks")
        return forms.BlockFormSet(initial=[{k: _plain(v) for k, v in row.items()}
                                           for row in self.initial_blocks()] or [{}],
                                  prefix="blocks")

    def editor_post(self, request):
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
        self.posted_form, self.posted_blocks = form, blocks
        self.block_rows = [
            {"up_to_kwh": b.cleaned_data.get("up_to_kwh"), "rate": b.cleaned_data["rate"]}
            for b in blocks.forms
            if b.cleaned_data and not (b.cleaned_data.get("up_to_kwh") is None
                                       and b.cleaned_data.get("rate") is None)]
        return None

    def refused(self, form, blocks, error):
        """A refusal of the procedure, shown once: a refusal of the blocks that names one (45031
        "block N ...") on that row (the editor's summary links to it), anything else on the form
        (the one error map, add_to_form)."""
        if error.code != "TARIFF_INVALID_BLOCKS" or forms.block_row_error(blocks, error) is None:
            add_to_form(form, error)
        return self.render_to_response(self.get_context_data(form=form, blocks=blocks,
                                                             error=error))


class TariffRemoveView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    """Removing a tariff created by mistake (remove_tariff): the GET is the confirmation page
    (the button only when nothing refers to the tariff: v_staff_tariff_version.removable, the
    procedure's own conditions; else what refers to it), the POST removes it. The procedure
    decides under the tariff's lock (45003 when a version, an account, a what-if or dunning days
    refer to it, shown above the form)."""
    roles = ADMIN
    template_name = "billing/tariff_remove.html"
    form_class = forms.TariffRemoveForm

    def dispatch(self, request, *args, **kwargs):
        if self.test_func():
            load_tariff(self, kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        versions = selectors.tariff_versions(code=self.tariff.tariff_code)
        return super().get_context_data(tariff=self.tariff, versions=versions,
                                        cancel_url=reverse("billing:tariff_list"), **kwargs)

    def call(self, form):
        return services.remove_tariff(code=self.tariff.tariff_code, actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Tariff {self.tariff.tariff_code} "
                                       f"({self.tariff.tariff_name}) removed.")
        return redirect("billing:tariff_list")


def _plain(number):
    """A stored number as a person writes it, for an input: 100.0000 -> 100, 0.120000 -> 0.12
    (the same value; the columns' trailing zeros only crowd a narrow input)."""
    if number is None:
        return None
    return number.quantize(1) if number == number.to_integral() else number.normalize()


def load_tariff(view, code):
    view.tariff = selectors.get_tariff(code=code)
    if view.tariff is None:
        raise Http404("No such tariff")


class TariffVersionCreateView(RoleRequiredMixin, BlockEditorMixin, FormView):
    """A new version of a tariff with its blocks (rows of up_to_kwh and rate; empty rows are
    ignored). The blocks go to add_tariff_version as JSON built from the rows; the procedure
    validates them (45031) and the start date (45030). `?simulation=<id>` (the what-if's
    "Create this version") fills the form with that proposal: its fixed charge, tax rate and
    blocks (the other fields from the latest version)."""
    roles = ADMIN
    template_name = "billing/tariff_version_form.html"
    form_class = forms.TariffVersionForm

    def dispatch(self, request, *args, **kwargs):
        if self.test_func():
            load_tariff(self, kwargs["code"])
            self.simulation = None
            sim = request.GET.get("simulation", "")
            if sim.isascii() and sim.isdigit() and len(sim) <= 10:
                self.simulation = selectors.tariff_simulation(simulation_id=int(sim),
                                                              code=self.tariff.tariff_code)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        t = self.tariff
        initial = {}
        if t.tariff_version_id is not None:
            initial = {"fixed_charge": t.fixed_charge, "tax_rate_pct": t.tax_rate_pct,
                       "late_fee_pct": t.late_fee_pct, "early_pay_pct": t.early_pay_pct,
                       "early_pay_days": t.early_pay_days}
        if self.simulation is not None:
            initial.update(fixed_charge=self.simulation.fixed_charge,
                           tax_rate_pct=self.simulation.tax_rate_pct)
        return initial

    def initial_blocks(self):
        if self.simulation is not None:
            blocks = selectors.tariff_simulation_blocks(
                simulation_id=self.simulation.simulation_id)
        else:
            blocks = selectors.tariff_latest_blocks(code=self.tariff.tariff_code)
        return [{"up_to_kwh": b.up_to_kwh, "rate": b.rate} for b in blocks]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("blocks", self.blocks_formset())
        versions = selectors.tariff_versions(code=self.tariff.tariff_code)
        mark_versions(versions, datetime.date.today())
        return super().get_context_data(
            tariff=self.tariff, simulation=self.simulation,
            in_force=next((v for v in versions if v.state == "in_force"), None),
            future=[v for v in reversed(versions) if v.state == "future"], **kwargs)

    def post(self, request, *args, **kwargs):
        answer = self.editor_post(request)
        if answer is not None:
            return answer
        form, blocks = self.posted_form, self.posted_blocks
        try:
            services.add_tariff_version(tariff_code=self.tariff.tariff_code, **form.cleaned_data,
                                        blocks=self.block_rows,
                                        actor=services.actor_for(request.user))
        except BillingError as error:
            return self.refused(form, blocks, error)
        messages.success(request, f"Tariff {self.tariff.tariff_code}: version from "
                                  f"{formatting.day(form.cleaned_data['effective_from'])} added.")
        return redirect("billing:tariff_list")
