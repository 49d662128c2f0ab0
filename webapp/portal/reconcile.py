"""Back office: the card charges to reconcile (portal.models.ChargeToReconcile, written by
portal.payments.pay_by_card when a charge was approved but its posting is not certain).

GET /my/staff/reconcile/ lists them (open ones first) for billing admins and managers (REPORTS
roles read it); POST .../<id>/settle/ marks one settled with a note, billing admins only (the
admin has checked the gateway and the account's payments, and posted a counter payment or
refunded the card by hand). Nothing is refunded or posted from here."""
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView, View

from billing.roles import ADMIN, REPORTS, RoleRequiredMixin
from billing.services import actor_for
from portal.models import ChargeToReconcile


class SettleForm(forms.Form):
    note = forms.CharField(label="How it was settled", max_length=1000, strip=True,
                           widget=forms.TextInput(attrs={"placeholder":
                                                         "e.g. posted by hand, receipt R-…"}))


class ReconcileListView(RoleRequiredMixin, TemplateView):
    roles = REPORTS
    template_name = "portal/staff_reconcile.html"

    def get_context_data(self, **kwargs):
        rows = list(ChargeToReconcile.objects.order_by("-created_at")[:500])
        return super().get_context_data(
            open_rows=[r for r in rows if r.settled_at is None],
            settled_rows=[r for r in rows if r.settled_at is not None][:100],
            form=SettleForm(), **kwargs)


class SettleView(RoleRequiredMixin, View):
    roles = ADMIN

    def post(self, request, pk):
        row = get_object_or_404(ChargeToReconcile, pk=pk)
        form = SettleForm(request.POST)
        if row.settled_at is not None:
            messages.warning(request, f"Charge {row.reference} was settled already.")
        elif not form.is_valid():
            messages.error(request, "Say how the charge was settled (a note is required).")
        else:
            row.settled_at = timezone.now()
            row.settled_by = actor_for(request.user)
            row.settled_note = form.cleaned_data["note"]
            row.save(update_fields=["settled_at", "settled_by", "settled_note"])
            messages.success(request, f"Charge {row.reference} marked settled.")
        return redirect("portal:reconcile")
