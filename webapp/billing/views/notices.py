"""Back office for the customer notices (issue 23; docs/notices.md): a customer's notices, the
failed notices with a retry (retry_notice), and the collectors' dunning list (v_dunning)."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from billing import kpi, paging, selectors, services
from billing.errors import BillingError
from billing.models import Dunning, Notice
from billing.roles import DESK, READ, RoleRequiredMixin

PAGE = 50
DUNNING_PAGE = 50


class NoticeListView(RoleRequiredMixin, TemplateView):
    """/notices/ (?status=failed by default; pending, sent, skipped, all) and
    /customers/<id>/notices/ (all of that customer's), newest first, PAGE rows a page (every
    notice reachable by the pager; the list used to stop at its first 200). Read in the order of
    an index: ix_notice_status_created or ix_notice_created (migration 0128), or
    ix_notice_customer for one customer's."""
    roles = READ
    template_name = "billing/notice_list.html"

    def get_context_data(self, **kwargs):
        qs = Notice.objects.all()
        customer = None
        if "customer_id" in self.kwargs:
            customer = selectors.get_customer(customer_id=self.kwargs["customer_id"])
            if customer is None:
                raise Http404("No such customer")
            qs = qs.filter(customer_id=customer.customer_id)
            status = self.request.GET.get("status", "all")
        else:
            status = self.request.GET.get("status", "failed")
        if status in ("pending", "sent", "failed", "skipped"):
            qs = qs.filter(status=status)
        else:
            status = "all"
        page = paging.page(self.request, qs, "page", per_page=PAGE)
        return super().get_context_data(customer=customer, status=status, page=page,
                                         notices=list(page.object_list), **kwargs)


class RetryNoticeView(RoleRequiredMixin, View):
    roles = DESK
    http_method_names = ["post"]

    def post(self, request, notice_id):
        try:
            services.retry_notice(notice_id=notice_id, actor=services.actor_for(request.user))
        except BillingError as error:
            messages.error(request, f"Notice {notice_id} was not retried: {error.sentence}")
        else:
            messages.success(request, f"Notice {notice_id} will be sent again within a minute.")
        return redirect(request.POST.get("next") or "billing:notice_list")


class DunningView(RoleRequiredMixin, TemplateView):
    """The collectors' list: accounts with money overdue, highest dunning level first, then the
    biggest amount, DUNNING_PAGE a page (every account reachable by the pager; it showed the
    first 1,000 and no more).

    The list the 5-minute job kept (refresh_dunning_snapshot) while it is of today and at most
    kpi.KEPT_SECONDS old: its order and heading as taken, each shown row's figures now
    (selectors.KeptDunningRows). Otherwise v_dunning itself, with v_staff_dunning_total's heading
    (the same figures as an aggregate over v_dunning, without its dunning levels), which also
    gives the pager its count: seconds at 1M accounts overdue. Either way a row's `now` holds
    the figures shown."""
    roles = READ
    template_name = "billing/dunning.html"

    def get_context_data(self, **kwargs):
        totals = selectors.dunning_kept_totals(max_age=kpi.KEPT_SECONDS)
        if totals is None:
            totals = selectors.dunning_totals()
            rows = paging.page(self.request, Dunning.objects.all(), "page",
                               per_page=DUNNING_PAGE, count=totals["accounts"])
            for r in rows:
                r.now = r
        else:
            rows = paging.page(self.request, selectors.KeptDunningRows(totals["accounts"]), "page",
                               per_page=DUNNING_PAGE, count=totals["accounts"])
        return super().get_context_data(rows=rows, totals=totals, **kwargs)
