"""Reports (aging, collections, billed revenue, consumption) and the audit trail.

Each report is a table of a view's rows, a chart where a person would rather look (server-side
SVG, billing/charts.py), and the same rows as CSV (`?format=csv`). Totals are computed by the
database (aggregates over the view), never in Python. Reports and the audit trail are for the
billing_admin and manager roles."""
import csv
import json

from django import forms
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.views.generic import TemplateView

from billing import charts, selectors
from billing.models import Account, Aging, CollectionsDaily, ConsumptionReport, RevenueReport
from billing.roles import REPORTS, RoleRequiredMixin


def _csv_response(name, columns, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if getattr(row, c) is None else getattr(row, c) for c in columns])
    return response


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
            return _csv_response(self.name, self.columns, rows)
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


# the actions the trail holds (docs/routines.md, "The audit trail"): the filter's suggestions
AUDIT_ACTIONS = ("insert", "update", "delete", "payment_posted", "payment_replayed",
                 "payment_reversed", "billing_run_started", "billing_run_finished",
                 "billing_run_failed", "account_billed", "late_fees_applied", "reading_approved",
                 "reading_rejected", "refund_issued", "bill_cancelled", "portal_login_issued")
AUDIT_PAGE = 50


class AuditFilterForm(forms.Form):
    """The audit page's filters (GET); every field optional."""
    who = forms.CharField(required=False, max_length=100, label="Who",
                          help_text="start of the actor (staff:ann) or database user")
    what = forms.CharField(required=False, max_length=64, label="What",
                           help_text="an action (payment_reversed) or a table (customer)",
                           widget=forms.TextInput(attrs={"list": "audit-actions"}))
    account = forms.CharField(required=False, max_length=12, label="Account no.")
    date_from = forms.DateField(required=False, label="From",
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To",
                              widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_account(self):
        number = self.cleaned_data["account"].strip()
        if not number:
            return None
        account = Account.objects.filter(account_no=number).first()
        if account is None:
            raise forms.ValidationError("No account with this number.", code="not_found")
        return account


def _values(text):
    """A JSON object of the trail as a dict (None for none or for anything else)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def audit_diff(entry):
    """Before/after as rows a person reads: (field, before, after, changed). An update shows
    only the fields it changed; an insert or an event its values; a delete the values gone."""
    old, new = _values(entry.old_values), _values(entry.new_values)
    if old is not None and new is not None:
        return [(k, old.get(k), new.get(k), True) for k in sorted(old.keys() | new.keys())
                if old.get(k) != new.get(k)]
    if new is not None:
        return [(k, None, v, False) for k, v in new.items()]
    if old is not None:
        return [(k, v, None, False) for k, v in old.items()]
    return []


class AuditView(RoleRequiredMixin, TemplateView):
    """Who changed what and when: globally, or for one customer (/customers/<id>/audit/);
    filtered by who, what, account and dates, AUDIT_PAGE rows a page (older pages by
    audit_id, ?before=)."""
    roles = REPORTS
    template_name = "billing/audit.html"

    def get_context_data(self, **kwargs):
        customer = None
        if "customer_id" in self.kwargs:
            customer = selectors.get_customer(customer_id=self.kwargs["customer_id"])
            if customer is None:
                raise Http404("No such customer")
        form = AuditFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        if form.is_bound and not form.is_valid():
            entries = []
        else:
            account = filters.get("account")
            entries = selectors.audit_entries(
                customer_id=customer.customer_id if customer else None,
                account_id=account.account_id if account else None,
                who=filters.get("who") or None, what=filters.get("what") or None,
                date_from=filters.get("date_from"), date_to=filters.get("date_to"),
                before=filters.get("before"), limit=AUDIT_PAGE + 1)
        more = len(entries) > AUDIT_PAGE
        entries = entries[:AUDIT_PAGE]
        for e in entries:
            e.diff = audit_diff(e)
        older = None
        if more:
            query = self.request.GET.copy()
            query["before"] = entries[-1].audit_id
            older = query.urlencode()
        newest = None
        if filters.get("before"):
            query = self.request.GET.copy()
            query.pop("before", None)
            newest = query.urlencode() or "-"
        return super().get_context_data(customer=customer, entries=entries, form=form,
                                         older=older, newest=newest, actions=AUDIT_ACTIONS,
                                         page_size=AUDIT_PAGE,
                                         **kwargs)
