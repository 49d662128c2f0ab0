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

# One's own work in the audit trail, in words: an event by its action, a row's change by
# (action, table). Anything else: its action and table, underscores as spaces.
WORK_WORDS = {
    "payment_posted": "Payment posted", "payment_replayed": "Payment sent again, posted once",
    "payment_reversed": "Payment reversed", "refund_issued": "Credit refunded",
    "bill_cancelled": "Bill cancelled", "account_billed": "Account billed",
    "billing_run_started": "Billing run started", "billing_run_finished": "Billing run finished",
    "billing_run_failed": "Billing run failed", "late_fees_applied": "Late fees applied",
    "reading_approved": "Reading approved", "reading_rejected": "Reading rejected",
    "meter_exchanged": "Meter exchanged", "portal_login_issued": "Portal login created",
    "payment_batch_staged": "Bank file uploaded", "payment_batch_posted": "Bank file posted",
    "web_readings_uploaded": "Readings file recorded", "tariff_removed": "Tariff removed",
    ("insert", "customer"): "New customer", ("update", "customer"): "Customer details changed",
    ("insert", "account"): "Account opened", ("update", "account"): "Account changed",
    ("insert", "meter"): "Meter added", ("insert", "meter_installation"): "Meter installed",
    ("update", "meter_installation"): "Meter installation changed",
    ("insert", "account_discount"): "Discount assigned",
    ("update", "account_discount"): "Discount assignment changed",
    ("insert", "discount"): "Discount created", ("insert", "tariff"): "Tariff created",
    ("insert", "tariff_version"): "Tariff version added",
    ("insert", "tariff_block"): "Tariff block added",
}


def work_words(entry):
    """What one audit row of one's own work was, in words (WORK_WORDS); a change of a row that
    closed an account or removed a meter says so."""
    if entry.action in ("insert", "update", "delete"):
        if entry.action == "update":
            old, new = entry.before, entry.detail
            if entry.table_name == "account" and new.get("closed_on") and not old.get("closed_on"):
                return "Account closed"
            if entry.table_name == "meter_installation" and new.get("removed_on") \
                    and not old.get("removed_on"):
                return "Meter removed"
        words = WORK_WORDS.get((entry.action, entry.table_name))
    else:
        words = WORK_WORDS.get(entry.action)
    if words is None:
        words = f"{entry.action} {entry.table_name}" if entry.action in (
            "insert", "update", "delete") else entry.action
        words = words.replace("_", " ").capitalize()
    return words


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
        summary, buckets, months, taken_at = kpi.collection_figures()
        labels = dict(BUCKETS)
        return {
            "kpi": summary, "kpi_taken_at": taken_at,
            "buckets": [dict(b, label=labels[b["bucket"]]) for b in buckets],
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
        for e in recent:          # "payment_posted" -> "Payment posted"; "insert account" -> "Account opened"
            e.what = work_words(e)
        return {
            "actor": actor,
            "queue_size": selectors.review_queue_size(),
            "queue": selectors.review_queue_rows(
                reading_ids=selectors.review_queue()[:HOME_QUEUE], previous=False),
            "today_mine": mine, "today_all": everyone,
            "recent": recent,
        }
