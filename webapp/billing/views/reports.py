"""Reports (aging, collections, billed revenue, consumption): a table of a view's rows, a
server-side SVG chart, the same rows as CSV (`?format=csv`, billing/csv_export.py). Totals are
computed by the database, never in Python. For the billing_admin and manager roles."""
from django.db.models import Sum
from django.views.generic import TemplateView

from billing import charts, selectors
from billing.csv_export import csv_response
from billing.models import Aging, CollectionsDaily, ConsumptionReport, RevenueReport
from billing.roles import REPORTS, RoleRequiredMixin


class ReportView(RoleRequiredMixin, TemplateView):
    roles = REPORTS
    template_name = "billing/report.html"
    name = title = description = ""
    columns = ()

    def rows(self):
        raise NotImplementedError

    def chart(self, rows):
        return ""

    def totals(self):
        return None

    def get(self, request, *args, **kwargs):
        rows = self.rows()
        if request.GET.get("format") == "csv":
            return csv_response(self.name, self.columns, rows)
        return self.render_to_response(self.get_context_data(
            rows=[[getattr(r, c) for c in self.columns] for r in rows], columns=self.columns,
            chart=self.chart(rows), totals=self.totals(), title=self.title, report=self.name,
            description=self.description, reports=REPORT_LIST))


class AgingReportView(ReportView):
    name = "aging"
    title = "Aging of open amounts"
    description = ("Open amounts by account and how long they are overdue, as of today "
                   "(v_aging). Accounts with nothing open are not listed.")
    columns = ("account_no", "not_due", "d1_30", "d31_60", "d61_90", "d90_plus", "total_open")

    def rows(self):
        return [r for r in selectors.aging() if r.total_open != 0]

    def totals(self):
        t = Aging.objects.aggregate(*[Sum(c) for c in self.columns[1:]])
        return ["All accounts"] + [t[f"{c}__sum"] for c in self.columns[1:]]

    def chart(self, rows):
        t = Aging.objects.aggregate(*[Sum(c) for c in self.columns[1:-1]])
        labels = {"not_due": "Not due", "d1_30": "1–30 days", "d31_60": "31–60 days",
                  "d61_90": "61–90 days", "d90_plus": "Over 90 days"}
        return charts.bar_chart([(labels[c], t[f"{c}__sum"] or 0) for c in self.columns[1:-1]],
                                title="Open amounts by days overdue")


class CollectionsReportView(ReportView):
    name = "collections"
    title = "Collections by day and method"
    description = "Posted payments by day and method (v_collections_daily)."
    columns = ("day", "method", "payments", "amount")

    def rows(self):
        return selectors.collections()

    def totals(self):
        t = CollectionsDaily.objects.aggregate(Sum("payments"), Sum("amount"))
        return ["All days", "", t["payments__sum"], t["amount__sum"]]

    def chart(self, rows):
        by_method = (CollectionsDaily.objects.values("method").annotate(total=Sum("amount"))
                     .order_by("method"))
        return charts.bar_chart([(r["method"], r["total"]) for r in by_method],
                                title="Collections by method (all days)")


class RevenueReportView(ReportView):
    name = "revenue"
    title = "Billed revenue by tariff and period"
    description = ("Bills by tariff and month of the period end (v_report_revenue): the charges "
                   "by kind and the bills' current totals.")
    columns = ("period", "tariff_code", "bills", "consumption_kwh", "energy_charge",
               "fixed_charge", "discount_amount", "tax_amount", "late_fee", "rebate_amount",
               "total_billed")

    def rows(self):
        return selectors.revenue()

    def totals(self):
        t = RevenueReport.objects.aggregate(*[Sum(c) for c in self.columns[2:]])
        return ["All", ""] + [t[f"{c}__sum"] for c in self.columns[2:]]

    def chart(self, rows):
        by_period = (RevenueReport.objects.values("period").annotate(total=Sum("total_billed"))
                     .order_by("-period")[:12])
        return charts.bar_chart([(r["period"], r["total"]) for r in by_period],
                                title="Billed revenue by period (last 12)")


class ConsumptionReportView(ReportView):
    name = "consumption"
    title = "Consumption by month and tariff"
    description = ("Accepted actual readings by month and tariff (v_report_consumption), with "
                   "the readings still in review.")
    columns = ("month", "tariff_code", "meters", "readings", "consumption_kwh", "in_review")

    def rows(self):
        return selectors.consumption()

    def chart(self, rows):
        by_month = (ConsumptionReport.objects.values("month")
                    .annotate(total=Sum("consumption_kwh"))
                    .order_by("-month")[:12])
        return charts.bar_chart([(r["month"], r["total"]) for r in by_month], unit="kWh",
                                title="Consumption by month, kWh (last 12)")


REPORT_LIST = [(v.name, v.title) for v in (AgingReportView, CollectionsReportView,
                                           RevenueReportView, ConsumptionReportView)]


class ReportIndexView(RoleRequiredMixin, TemplateView):
    roles = REPORTS
    template_name = "billing/report_index.html"
    extra_context = {"reports": REPORT_LIST}
