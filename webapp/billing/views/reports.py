"""Reports (aging, collections, billed revenue, consumption) for the billing_admin and manager
roles (docs/backoffice.md, "Reports").

Every report is the rows of one view (db/views/v_report_*.sql, v_aging's v_report_aging) with:
- columns named as people read them (the CSV and XLSX exports have the same columns);
- filters (dates or months, tariff, method, cashier: those that apply), kept in the links;
- a totals row: SUM over the filtered view, computed by the database (one aggregate query;
  never added up in Python);
- pages of 50 rows (LIMIT/OFFSET; the count comes with the totals, one read of the view);
- `?format=csv` and `?format=xlsx`: every filtered row (not only the page), same columns;
- a chart drawn by Chart.js (vendored under static/billing/vendor/chartjs/) from figures the
  database summed, with the same figures in a table beside it (the chart's text alternative).
Python only formats numbers for display; it computes no amount.
"""
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Count, Max, Sum
from django.http import QueryDict
from django.urls import reverse
from django.views.generic import TemplateView

from billing import formatting, kpi, paging
from billing.csv_export import table_csv_response
from billing.forms import PAYMENT_METHODS, DayField
from billing.models import (AgingKept, AgingReport, CollectionsReport, ConsumptionReport,
                            RevenueReport, TariffVersion)
from billing.roles import REPORTS, RoleRequiredMixin
from billing.xlsx_export import xlsx_response

PER_PAGE = 50
METHODS = PAYMENT_METHODS + [("online", formatting.method_label("online"))]
METHOD_WORDS = dict(METHODS)


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str = "text"      # text, money, count, kwh, date, method, yesno
    total: bool = False     # summed (SQL SUM) in the totals row
    nowrap: bool = False    # kept on one line (numbers, phone numbers, days)

    @property
    def numeric(self):
        return self.kind in ("money", "count", "kwh")

    def export(self, value):
        """The value of the cell in CSV / XLSX: numbers and dates as they are."""
        if self.kind == "method":
            return METHOD_WORDS.get(value, value)
        if self.kind == "yesno":
            return "yes" if value else "no"
        return value

    def show(self, value, places=None):
        """The text of the cell on the page (`places`: a kwh column's decimals, kwh_places)."""
        if value is None:
            return ""
        if self.kind == "money":
            return formatting.money(value, credit=False)
        if self.kind == "kwh":
            return formatting.kwh(value, unit=False, places=places)
        if self.kind == "count":
            return formatting.count(value)
        if self.kind == "date":
            return formatting.day(value)
        return self.export(value)


def month_text(value):
    """A month as YYYY-MM; a month number past 12 (or 00) is said as such, not as the form."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", value) and not "01" <= value[5:] <= "12":
        raise ValidationError(f"There is no month {value[5:]}: give a month as YYYY-MM, "
                              "e.g. 2026-11.", code="invalid")
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value):
        raise ValidationError("Give a month as YYYY-MM, e.g. 2026-11.", code="invalid")


def tariff_choices():
    # the web app reads views only (bin/db-accounts): the tariffs from v_staff_tariff_version
    codes = (TariffVersion.objects.order_by("tariff_code")
             .values_list("tariff_code", "tariff_name").distinct())
    return [("", "Any tariff")] + [(c, f"{c} – {n}") for c, n in codes]


class ReportFilterForm(forms.Form):
    """Every filter a report may have; each report keeps only its own (ReportView.filters)."""
    date_from = DayField(label="From", required=False)
    date_to = DayField(label="To", required=False)
    month_from = forms.CharField(label="From month", required=False, validators=[month_text],
                                 widget=forms.TextInput(attrs={"type": "month",
                                                               "placeholder": "YYYY-MM"}))
    month_to = forms.CharField(label="To month", required=False, validators=[month_text],
                               widget=forms.TextInput(attrs={"type": "month",
                                                             "placeholder": "YYYY-MM"}))
    tariff = forms.ChoiceField(label="Tariff", required=False)
    method = forms.ChoiceField(label="Method", required=False,
                               choices=[("", "Any method")] + METHODS)
    cashier = forms.CharField(label="Cashier", required=False, max_length=100,
                              help_text="as recorded, e.g. staff:clara")
    overdue_only = forms.BooleanField(label="Only accounts with money overdue", required=False)

    def __init__(self, *args, keep=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "tariff" in self.fields:
            self.fields["tariff"].choices = tariff_choices()

    def clean(self):
        data = super().clean()
        for a, b in (("date_from", "date_to"), ("month_from", "month_to")):
            if data.get(a) and data.get(b) and data[a] > data[b]:
                self.add_error(b, "The end comes before the start.")
        return data


class ReportView(RoleRequiredMixin, TemplateView):
    roles = REPORTS
    template_name = "billing/report.html"
    name = title = description = ""
    model = None
    columns = ()
    filters = {}            # form field -> ORM lookup on the view
    total_label = "Total"

    # -- what a report defines -------------------------------------------------------------
    def chart(self, qs, totals):
        """The chart's spec (see chart_spec) from SQL aggregates over the filtered rows."""
        return None

    def link(self, row, col):
        return None

    # -- the common machinery --------------------------------------------------------------
    def filter_form(self):
        return ReportFilterForm(self.request.GET or None, keep=tuple(self.filters))

    def queryset(self, form):
        qs = self.model.objects.all()
        if form.is_bound:
            form.is_valid()
            for field, lookup in self.filters.items():
                if field in form.errors:
                    continue                    # a bad filter is shown, not applied
                value = form.cleaned_data.get(field)
                if lookup is None or value in (None, "", False):
                    continue
                qs = qs.filter(**{lookup: value})
        return qs

    def paged(self, qs):
        """What the pager slices: the filtered view's rows (LIMIT/OFFSET)."""
        return qs

    def header(self):
        return [c.label for c in self.columns]

    def export_rows(self, qs):
        keys = [c.key for c in self.columns]
        for values in qs.values_list(*keys).iterator(chunk_size=2000):
            yield [c.export(v) for c, v in zip(self.columns, values)]

    def totals(self, qs):
        """The totals row's sums and the number of rows, in one aggregate query (the view is read
        once for both; the pager takes the count from here)."""
        sums = [c.key for c in self.columns if c.total]
        return qs.aggregate(row_count=Count("*"), **{k: Sum(k) for k in sums})

    def get(self, request, *args, **kwargs):
        form = self.filter_form()
        qs = self.queryset(form)
        fmt = request.GET.get("format")
        if fmt == "csv":
            return table_csv_response(self.name, self.header(), self.export_rows(qs))
        if fmt == "xlsx":
            return xlsx_response(self.name, self.header(), self.export_rows(qs),
                                 kinds=[c.kind if c.kind in ("money", "kwh", "date") else None
                                        for c in self.columns], title=self.title)
        totals = self.totals(qs)
        page = paging.page(request, self.paged(qs), "page", per_page=PER_PAGE,
                           count=totals.pop("row_count"))
        objects = list(page.object_list)
        # a kWh column's figures line up: the decimals the page's values and its total need
        places = {c.key: formatting.kwh_places([getattr(r, c.key) for r in objects]
                                               + [totals.get(c.key) if c.total else None])
                  for c in self.columns if c.kind == "kwh"}
        rows = [[{"text": c.show(getattr(r, c.key), places.get(c.key)), "num": c.numeric,
                  "nowrap": c.nowrap, "href": self.link(r, c)} for c in self.columns]
                for r in objects]
        total_row = None
        if totals and page.paginator.count:
            n = page.paginator.count
            total_row = [{"text": (c.show(totals[c.key], places.get(c.key)) if c.total else ""),
                          "num": c.numeric} for c in self.columns]
            total_row[0] = {"text": f"{self.total_label} ({n:,} row{'s' if n != 1 else ''})",
                            "num": False}
        query = request.GET.copy()
        for k in ("page", "format"):
            query.pop(k, None)
        return self.render_to_response(self.get_context_data(
            form=form, columns=self.columns, rows=rows, totals=total_row, page=page,
            chart=self.chart(qs, totals) if page.paginator.count else None,
            title=self.title, report=self.name, description=self.description,
            query=query.urlencode(), reports=REPORT_LIST))


def chart_spec(*, title, labels, series, x_title, y_title, unit, kind="money",
               partial=None, note=""):
    """What static/billing/charts.js draws (a bar chart) and the table shown beside it.
    values are the database's numbers (sent as text: JSON has no decimals); partial marks bars
    whose period is not over (drawn lighter, labelled)."""
    partial = list(partial or [False] * len(labels))
    show = Col("v", "", kind).show
    return {
        "title": title, "note": note, "x_title": x_title, "y_title": y_title,
        "config": {"labels": [f"{l} (so far)" if p else str(l) for l, p in zip(labels, partial)],
                   "series": [{"label": name, "data": [None if v is None else str(v) for v in vs]}
                              for name, vs in series],
                   "partial": partial, "x_title": x_title, "y_title": y_title, "unit": unit,
                   "title": title},
        "table": [[f"{l} (so far)" if p else l, *[show(vs[i]) for _, vs in series]]
                  for i, (l, p) in enumerate(zip(labels, partial))],
        "table_head": [x_title, *[name for name, _ in series]],
    }


BUCKETS = [("not_due", "Not due yet"), ("d1_30", "1–30 days"), ("d31_60", "31–60 days"),
           ("d61_90", "61–90 days"), ("d90_plus", "Over 90 days")]


AGING_SUMS = [k for k, _ in BUCKETS] + ["total_open"]


class KeptAgingRows:
    """The kept aging report's rows (AgingKept) as the pager slices them: the page's account ids
    first, from the order's index alone (the view's joins left out), then those 50 rows with the
    account and customer. An OFFSET over the view with its joins read both for every row it
    skipped: 4.6 s at an offset of 900,000, against 0.07 s."""

    def __init__(self, qs):
        self.qs = qs

    def __len__(self):
        return self.qs.count()         # not read by the pager: it has the totals' count

    def __getitem__(self, bounds):
        ids = list(self.qs.values_list("account_id", flat=True)[bounds])
        return list(self.qs.model.objects.filter(account_id__in=ids))


class AgingReportView(ReportView):
    """The aging report. Its figures are the ones the 5-minute job kept (refresh_aging_snapshot,
    v_staff_aging_kept) while they are of today and at most kpi.KEPT_SECONDS old: every page,
    filter and export of the report then reads the kept rows in the order of their index and the
    totals from a few kept sums, one consistent read (a transaction), and the page says when
    they were taken.
    `?live=1`, or no kept report, reads v_report_aging: every open bill added up on the spot
    (seconds at 1M accounts)."""
    name = "aging"
    title = "Aging of open amounts"
    description = ("Money open on each account's bills by days past the due date, as of today, "
                   "with whom to call. Accounts with nothing open are not listed; unallocated "
                   "credit is not netted (it is on the account page). Biggest first.")
    model = AgingReport
    columns = (Col("account_no", "Account", nowrap=True), Col("customer_name", "Customer"),
               Col("phone", "Phone", nowrap=True), Col("tariff_code", "Tariff"),
               *[Col(k, label, "money", True) for k, label in BUCKETS],
               Col("total_open", "Total open", "money", True))
    filters = {"tariff": "tariff_code", "overdue_only": None}      # None: see queryset
    total_label = "All accounts"

    def get(self, request, *args, **kwargs):
        self.live = request.GET.get("live") == "1"
        with transaction.atomic(using=router.db_for_read(AgingKept)):
            self.taken_at = None if self.live else self.kept_taken_at()
            return super().get(request, *args, **kwargs)

    def kept_taken_at(self):
        """When the kept report was taken, if it is of today and at most KEPT_SECONDS old."""
        with connections[router.db_for_read(AgingKept)].cursor() as cur:
            cur.execute("SELECT MAX(taken_at) FROM v_staff_aging_kept_total "
                        "WHERE as_of = CURRENT_DATE AND age_seconds BETWEEN 0 AND %s",
                        [kpi.KEPT_SECONDS])
            return cur.fetchone()[0]

    def queryset(self, form):
        self.model = AgingKept if self.taken_at else AgingReport
        qs = super().queryset(form)
        data = form.cleaned_data if form.is_bound else {}
        # the filters as the base class applied them (a filter with an error is not applied)
        self.tariff = data.get("tariff") if "tariff" not in form.errors else None
        self.overdue_only = bool(data.get("overdue_only"))
        if self.overdue_only:
            qs = qs.filter(overdue__gt=0)
        return qs

    def totals(self, qs):
        """Kept: the kept sums of the rows the filters keep (v_staff_aging_kept_total, a row per
        tariff and overdue or not). Live and unfiltered: v_staff_aging_total (the same figures
        from the open bills directly: 0.8 s at 1M accounts against 2.2 s summed over the view).
        Live and filtered: the sums of the filtered rows."""
        alias = router.db_for_read(AgingKept)
        if not self.taken_at and qs.query.where:
            return super().totals(qs)
        with connections[alias].cursor() as cur:
            if self.taken_at:
                keep, params = ["TRUE"], []
                if self.tariff:
                    keep.append("tariff_code = %s")
                    params.append(self.tariff)
                if self.overdue_only:
                    keep.append("overdue = 1")
                cond = " AND ".join(keep)
                keys = ["accounts"] + AGING_SUMS
                sums = ", ".join(f"COALESCE(SUM(IF({cond}, {k}, 0)), 0)" for k in keys)
                # the kept report read first (the same snapshot: repeatable read)
                cur.execute(f"SELECT {sums} FROM v_staff_aging_kept_total WHERE taken_at = %s",
                            params * len(keys) + [self.taken_at])
            else:
                cur.execute(f"SELECT accounts, {', '.join(AGING_SUMS)} FROM v_staff_aging_total")
            accounts, *sums = cur.fetchone()
        return {"row_count": int(accounts), **dict(zip(AGING_SUMS, sums))}

    def paged(self, qs):
        return KeptAgingRows(qs) if self.taken_at else qs

    def get_context_data(self, **kwargs):
        query = QueryDict(kwargs.get("query", ""), mutable=True)
        query.pop("live", None)
        kept_query = query.urlencode()
        query["live"] = "1"
        kwargs.update(live=self.live, taken_at=self.taken_at, kept_query=kept_query,
                      live_query=query.urlencode())
        return super().get_context_data(**kwargs)

    def link(self, row, col):
        if col.key in ("account_no", "customer_name"):
            return (reverse("billing:account_detail", args=[row.account_id])
                    if col.key == "account_no"
                    else reverse("billing:customer_detail", args=[row.customer_id]))
        if col.key == "phone" and row.phone:
            return "tel:" + "".join(ch for ch in row.phone if ch.isdigit() or ch == "+")
        return None

    def chart(self, qs, totals):
        return chart_spec(title="Open amounts by days past due",
                          labels=[label for _, label in BUCKETS],
                          series=[("Open amount", [totals[k] for k, _ in BUCKETS])],
                          x_title="Days past the due date",
                          y_title=f"Open amount ({formatting.currency()})",
                          unit=formatting.currency())


class CollectionsReportView(ReportView):
    name = "collections"
    title = "Collections by day, cashier and method"
    description = ("Payments that stand, by the day they were paid, who posted them and how; "
                   "payments reversed later are counted apart and not in the amount.")
    model = CollectionsReport
    columns = (Col("day", "Day", "date", nowrap=True), Col("cashier", "Cashier"),
               Col("method", "Method", "method"), Col("payments", "Payments", "count", True),
               Col("amount", "Amount", "money", True),
               Col("reversed_payments", "Reversed later", "count", True),
               Col("reversed_amount", "Amount reversed", "money", True))
    filters = {"date_from": "day__gte", "date_to": "day__lte", "method": "method",
               "cashier": "cashier"}
    total_label = "All days"

    def chart(self, qs, totals):
        days = list(qs.order_by().values("day").annotate(total=Sum("amount"))
                    .order_by("-day")[:31])[::-1]
        return chart_spec(title="Amount collected per day (latest 31 days of the selection)",
                          labels=[formatting.day(d["day"]) for d in days],
                          series=[("Collected", [d["total"] for d in days])],
                          x_title="Day", y_title=f"Collected ({formatting.currency()})",
                          unit=formatting.currency())


class RevenueReportView(ReportView):
    name = "revenue"
    title = "Billed revenue by tariff and period"
    description = ("Bills not cancelled, by tariff and the month their period ends: the charges "
                   "by kind and the bills' current totals (late fees and granted rebates "
                   "included).")
    model = RevenueReport
    columns = (Col("period", "Period", nowrap=True), Col("tariff_code", "Tariff"),
               Col("bills", "Bills", "count", True),
               Col("consumption_kwh", "Consumption (kWh)", "kwh", True),
               Col("energy_charge", "Energy", "money", True),
               Col("fixed_charge", "Fixed charges", "money", True),
               Col("discount_amount", "Discounts", "money", True),
               Col("tax_amount", "Tax", "money", True),
               Col("late_fee", "Late fees", "money", True),
               Col("rebate_amount", "Rebates", "money", True),
               Col("total_billed", "Total billed", "money", True))
    filters = {"month_from": "period__gte", "month_to": "period__lte", "tariff": "tariff_code"}
    total_label = "All periods"

    def chart(self, qs, totals):
        periods = list(qs.order_by().values("period").annotate(total=Sum("total_billed"))
                       .order_by("-period")[:12])[::-1]
        return chart_spec(title="Total billed per period (latest 12 of the selection)",
                          labels=[p["period"] for p in periods],
                          series=[("Total billed", [p["total"] for p in periods])],
                          x_title="Billing period (month it ends)",
                          y_title=f"Billed ({formatting.currency()})",
                          unit=formatting.currency())


class ConsumptionReportView(ReportView):
    name = "consumption"
    title = "Consumption by month and tariff"
    description = ("Accepted actual readings by the month they were read and the tariff of the "
                   "account, with the readings still waiting in review. The current month is "
                   "not over: its figures still grow.")
    model = ConsumptionReport
    columns = (Col("month", "Month", nowrap=True), Col("partial_month", "Month not over", "yesno"),
               Col("tariff_code", "Tariff"), Col("meters", "Meters", "count", True),
               Col("readings", "Readings", "count", True),
               Col("consumption_kwh", "Consumption (kWh)", "kwh", True),
               Col("in_review", "In review", "count", True))
    filters = {"month_from": "month__gte", "month_to": "month__lte", "tariff": "tariff_code"}
    total_label = "All months"

    def chart(self, qs, totals):
        months = list(qs.order_by().values("month")
                      .annotate(total=Sum("consumption_kwh"), partial=Max("partial_month"))
                      .order_by("-month")[:12])[::-1]
        return chart_spec(title="Consumption per month, kWh (latest 12 of the selection)",
                          labels=[m["month"] for m in months],
                          series=[("Consumption", [m["total"] for m in months])],
                          partial=[bool(m["partial"]) for m in months], kind="kwh",
                          x_title="Month read", y_title="Consumption (kWh)", unit="kWh",
                          note=("The current month is not over: its bar (lighter, “so far”) "
                                "counts the readings taken until today."
                                if any(m["partial"] for m in months) else ""))


REPORT_LIST = [(v.name, v.title) for v in (AgingReportView, CollectionsReportView,
                                           RevenueReportView, ConsumptionReportView)]


class ReportIndexView(RoleRequiredMixin, TemplateView):
    roles = REPORTS
    template_name = "billing/report_index.html"
    extra_context = {"reports": REPORT_LIST}
