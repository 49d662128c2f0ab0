"""The tariff what-if (issue 20 §3): a proposed version of a tariff (fixed charge, tax rate, the
block editor) priced over the tariff's bills of a range by simulate_tariff, and the result:
revenue now and proposed, accounts paying more / less / the same, a histogram of the percent
change per account, typical monthly consumption levels, the most affected accounts, a
per-account CSV, and "Create this version" into the new-version form.

Every number on the page comes from the database (v_tariff_simulation_* views); this module
only picks the rows and writes labels."""
import datetime

from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, View

from billing import csv_export, forms, selectors, services
from billing.errors import BillingError
from billing.roles import REPORTS, RoleRequiredMixin
from billing.views.tariffs import BlockEditorMixin, load_tariff

CSV_COLUMNS = ["account_no", "customer_name", "bills", "consumption_kwh", "total_now",
               "total_proposed", "change_amount", "change_pct"]


def default_range(today):
    """The last 12 months: period ends from the same day a year ago (the day after) to today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:                    # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + datetime.timedelta(days=1), today


def bucket_label(b):
    """A histogram bucket's words, from its bounds (v_tariff_simulation_bucket)."""
    def pct(x):
        return f"{x.normalize():+f}%" if x else "0%"
    if b.lower_pct is None:
        return f"below {pct(b.upper_pct)}"
    if b.upper_pct is None:
        return f"{pct(b.lower_pct)} or more"
    if b.lower_pct == 0 and b.upper_pct == 0:
        return "no change"
    if b.lower_pct == 0:
        return f"above 0% to {pct(b.upper_pct)}"
    return f"{pct(b.lower_pct)} to {pct(b.upper_pct)}"


class TariffWhatIfView(RoleRequiredMixin, BlockEditorMixin, FormView):
    """GET: the proposal form, filled from the version in force today (or, with a simulation
    id, from that simulation, whose result is shown below it). POST: simulate_tariff, then the
    result page of the new simulation (POST-redirect-GET)."""
    roles = REPORTS
    template_name = "billing/tariff_whatif.html"
    form_class = forms.TariffWhatIfForm

    def dispatch(self, request, *args, **kwargs):
        if self.test_func():
            load_tariff(self, kwargs["code"])
            self.simulation = None
            if kwargs.get("simulation_id") is not None:
                self.simulation = selectors.tariff_simulation(
                    simulation_id=kwargs["simulation_id"], code=self.tariff.tariff_code)
                if self.simulation is None:
                    raise Http404("No such simulation")
            self.current = selectors.tariff_version_in_force(code=self.tariff.tariff_code,
                                                             on=datetime.date.today())
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        s = self.simulation
        if s is not None:
            return {"fixed_charge": s.fixed_charge, "tax_rate_pct": s.tax_rate_pct,
                    "from": s.date_from, "to": s.date_to}
        date_from, date_to = default_range(datetime.date.today())
        initial = {"from": date_from, "to": date_to}
        if self.current is not None:
            initial.update(fixed_charge=self.current.fixed_charge,
                           tax_rate_pct=self.current.tax_rate_pct)
        return initial

    def initial_blocks(self):
        if self.simulation is not None:
            blocks = selectors.tariff_simulation_blocks(
                simulation_id=self.simulation.simulation_id)
        elif self.current is not None:
            blocks = selectors.tariff_version_blocks(
                tariff_version_id=self.current.tariff_version_id)
        else:
            blocks = []
        return [{"up_to_kwh": b.up_to_kwh, "rate": b.rate} for b in blocks]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("blocks", self.blocks_formset())
        ctx = super().get_context_data(tariff=self.tariff, current=self.current,
                                       simulation=self.simulation, **kwargs)
        s = self.simulation
        if s is not None and s.status == "completed":
            histogram = selectors.tariff_simulation_histogram(simulation_id=s.simulation_id)
            for b in histogram:
                b.label = bucket_label(b)
            up, down = selectors.tariff_simulation_most_affected(simulation_id=s.simulation_id)
            ctx.update(
                histogram=histogram,
                typical=selectors.tariff_simulation_typical(simulation_id=s.simulation_id),
                proposed_blocks=selectors.tariff_simulation_blocks(simulation_id=s.simulation_id),
                most_up=up, most_down=down)
        return ctx

    def post(self, request, *args, **kwargs):
        answer = self.editor_post(request)
        if answer is not None:
            return answer
        form, blocks = self.posted_form, self.posted_blocks
        data = form.cleaned_data
        try:
            result = services.simulate_tariff(
                tariff_code=self.tariff.tariff_code, fixed_charge=data["fixed_charge"],
                tax_rate_pct=data["tax_rate_pct"], blocks=self.block_rows,
                date_from=data["from"], date_to=data["to"],
                actor=services.actor_for(request.user))
        except BillingError as error:
            return self.refused(form, blocks, error)
        return redirect("billing:tariff_whatif_result", code=self.tariff.tariff_code,
                        simulation_id=result["simulation_id"])


class TariffWhatIfCsvView(RoleRequiredMixin, View):
    """Every account of a simulation: its bills in the range now and proposed (the CSV helper)."""
    roles = REPORTS

    def get(self, request, code, simulation_id):
        s = selectors.tariff_simulation(simulation_id=simulation_id, code=code)
        if s is None:
            raise Http404("No such simulation")
        return csv_export.csv_response(
            f"what-if-{s.tariff_code}-{s.simulation_id}", CSV_COLUMNS,
            selectors.tariff_simulation_accounts(simulation_id=s.simulation_id))
