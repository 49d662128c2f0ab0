"""The audit trail (billing_admin and manager roles)."""
from django.http import Http404
from django.views.generic import TemplateView

from billing import selectors
from billing.roles import REPORTS, RoleRequiredMixin


class AuditView(RoleRequiredMixin, TemplateView):
    """Who changed what and when: globally, or for one customer (/customers/<id>/audit/)."""
    roles = REPORTS
    template_name = "billing/audit.html"

    def get_context_data(self, **kwargs):
        customer = None
        if "customer_id" in self.kwargs:
            customer = selectors.get_customer(customer_id=self.kwargs["customer_id"])
            if customer is None:
                raise Http404("No such customer")
        entries = selectors.audit_entries(
            customer_id=customer.customer_id if customer else None)
        return super().get_context_data(customer=customer, entries=entries, **kwargs)
