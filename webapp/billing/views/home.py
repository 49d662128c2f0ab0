"""The staff home page, one per role (docs/backoffice.md, "Home pages and KPIs"):
- billing admin and manager (REPORTS): how collection is going: this month's billed and
  collected, open and overdue money, days sales outstanding, accounts in each aging bucket,
  exceptions and readings waiting, 12 months of billed against collected (a chart and its table);
- clerk and billing admin (DESK): the review queue, today's collections (theirs and everybody's)
  and their own recent work (the audit trail's rows with their actor).
Every figure is read from a view (billing/kpi.py); the page formats them, nothing more."""
from django.views.generic import TemplateView

from billing import formatting, kpi, selectors
from billing.forms import SearchForm
from billing.roles import DESK, REPORTS, RoleRequiredMixin, can
from billing.services import actor_for
from billing.views.reports import BUCKETS, chart_spec

HOME_QUEUE = 5          # readings of the review queue listed on a clerk's home


class HomeView(RoleRequiredMixin, TemplateView):
    template_name = "billing/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ctx = {"search_form": SearchForm()}
        if can(user, REPORTS):
            ctx.update(self.manager_figures())
        if can(user, DESK):
            ctx.update(self.desk_figures(actor_for(user)))
        return super().get_context_data(**ctx, **kwargs)

    def manager_figures(self):
        months = kpi.monthly()
        labels = dict(BUCKETS)
        return {
            "kpi": kpi.summary(),
            "buckets": [dict(b, label=labels[b["bucket"]]) for b in kpi.aging_buckets()],
            "trend": chart_spec(
                title="Billed and collected per month (last 12 months)",
                labels=[m["month"] for m in months],
                series=[("Billed", [m["billed"] for m in months]),
                        ("Collected", [m["collected"] for m in months])],
                partial=[bool(m["partial_month"]) for m in months],
                x_title="Month", y_title=f"Amount ({formatting.currency()})",
                unit=formatting.currency(),
                note="The current month is not over (“so far”): bills issued and payments "
                     "received until today."),
        }

    def desk_figures(self, actor):
        mine, everyone = kpi.collections_today(cashier=actor)
        recent = kpi.recent_work(actor=actor)
        for e in recent:          # "payment_posted" -> "payment posted"; "insert" -> "insert customer"
            e.what = e.action.replace("_", " ")
            if e.action in ("insert", "update", "delete"):
                e.what += " " + e.table_name.replace("_", " ")
        return {
            "actor": actor,
            "queue_size": selectors.review_queue_size(),
            "queue": selectors.review_queue_rows(
                reading_ids=selectors.review_queue()[:HOME_QUEUE], previous=False),
            "today_mine": mine, "today_all": everyone,
            "recent": recent,
        }
