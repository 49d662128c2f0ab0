"""Tariffs and discounts: the list, new tariff, new discount, a new version with the block
editor."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from billing import forms, selectors, services
from billing.errors import BillingError, add_to_form
from billing.roles import ADMIN, READ, RoleRequiredMixin
from billing.views.common import ProcedureFormMixin


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
            add_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form, blocks=blocks,
                                                                 error=error))
        messages.success(request, f"Tariff {self.tariff.tariff_code}: version from "
                                  f"{form.cleaned_data['effective_from']:%Y-%m-%d} added.")
        return redirect("billing:tariff_list")
