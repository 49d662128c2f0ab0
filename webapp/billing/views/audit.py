"""The audit trail (billing_admin and manager roles): filtered by who, what, account and dates,
paged by audit_id, before/after shown as a diff of the fields that changed."""
import json

from django import forms
from django.http import Http404
from django.views.generic import TemplateView

from billing import selectors
from billing.forms import DayField, PlainIntegerField
from billing.models import Account
from billing.roles import REPORTS, RoleRequiredMixin


# the actions the trail holds (docs/routines.md, "The audit trail"): the filter's suggestions
AUDIT_ACTIONS = ("insert", "update", "delete", "payment_posted", "payment_replayed",
                 "payment_reversed", "billing_run_started", "billing_run_finished",
                 "billing_run_failed", "account_billed", "late_fees_applied", "reading_approved",
                 "reading_rejected", "refund_issued", "bill_cancelled", "portal_login_issued",
                 "payment_batch_staged", "payment_batch_posted")
AUDIT_PAGE = 50


class AuditFilterForm(forms.Form):
    """The audit page's filters (GET); every field optional."""
    who = forms.CharField(required=False, max_length=100, label="Who",
                          help_text="start of the actor (staff:ann) or database user")
    what = forms.CharField(required=False, max_length=64, label="What",
                           help_text="an action (payment_reversed) or a table (customer)",
                           widget=forms.TextInput(attrs={"list": "audit-actions"}))
    account = forms.CharField(required=False, max_length=12, label="Account no.")
    date_from = DayField(required=False, label="From")
    date_to = DayField(required=False, label="To")
    before = PlainIntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end comes before the start.")   # as the reports say
        return data

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
