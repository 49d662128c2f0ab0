"""Customer search, the customer page, creating and editing customers (the home page: home.py)."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from billing import errors, paging, selectors, services
from billing.forms import CustomerForm, SearchForm
from billing.roles import DESK, RoleRequiredMixin
from billing.views.common import ProcedureFormMixin, path_for


class CustomerSearchView(RoleRequiredMixin, TemplateView):
    """The staff search: an exact customer number, account number or meter serial opens that
    record at once; anything else lists the matching customers, 50 a page (?page=)."""
    template_name = "billing/customer_search.html"
    MAX_PAGE = 10_000_000                   # 500 million customers at 50 a page

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        if query and "page" not in request.GET:
            hit = selectors.exact_number(query=query)
            if hit is not None:
                kind, pk = hit
                return redirect(f"billing:{kind}_detail", pk)
        return super().get(request, *args, form=form, query=query, **kwargs)

    def get_context_data(self, form=None, query="", **kwargs):
        try:
            # at most MAX_PAGE: a page far past the results is empty, one past the OFFSET the
            # server takes (2^64 - 1) was a server error
            page = min(max(1, int(self.request.GET.get("page", "1"))), self.MAX_PAGE)
        except ValueError:
            page = 1
        limit = selectors.SEARCH_LIMIT
        results = next_page = too_broad = None
        if query:
            # one more than a page tells whether there is a next one
            try:
                results = selectors.search_customers(query=query, limit=limit + 1,
                                                     offset=(page - 1) * limit)
            except selectors.SearchTooBroad as e:
                results = []
                too_broad = errors.SEARCH_TOO_BROAD.format(seconds=e.seconds)
            next_page = page + 1 if len(results) > limit else None
            results = results[:limit]
            customer_path = path_for("billing:customer_detail")
            account_path = path_for("billing:account_detail")
            for c in results:
                c.path = customer_path(c.customer_id)
                for a in c.account_list:
                    a.path = account_path(a.account_id)
        first = (page - 1) * limit + 1
        return super().get_context_data(
            search_form=form or SearchForm(), query=query, results=results, limit=limit,
            page=page, next_page=next_page, prev_page=page - 1 if page > 1 else None,
            first=first, last=first + len(results or []) - 1, too_broad=too_broad, **kwargs)


class CustomerDetailView(RoleRequiredMixin, TemplateView):
    template_name = "billing/customer_detail.html"

    def get_context_data(self, **kwargs):
        customer = selectors.get_customer(customer_id=self.kwargs["customer_id"])
        if customer is None:
            raise Http404("No such customer")
        rows = selectors.customer_rows(customer_id=customer.customer_id)
        pages = {name: paging.page(self.request, qs, name) for name, qs in rows.items()}
        return super().get_context_data(
            customer=customer,
            accounts=selectors.customer_accounts(customer_id=customer.customer_id),
            readings=pages["readings"], bills=pages["bills"], payments=pages["payments"],
            **kwargs)


class CustomerCreateView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    roles = DESK
    template_name = "billing/customer_form.html"
    form_class = CustomerForm
    extra_context = {"title": "New customer", "submit": "Create customer"}

    def call(self, form):
        return services.create_customer(**form.procedure_arguments(), actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Customer {result['customer_no']} created.")
        return redirect("billing:customer_detail", customer_id=result["customer_id"])


class CustomerEditView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    roles = DESK
    template_name = "billing/customer_form.html"
    form_class = CustomerForm

    def dispatch(self, request, *args, **kwargs):
        if self.test_func():
            self.customer = selectors.get_customer(customer_id=kwargs["customer_id"])
            if self.customer is None:
                raise Http404("No such customer")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        c = self.customer
        return {"full_name": c.full_name, "email": c.email or "", "phone": c.phone or "",
                "address": c.address or ""}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            customer=self.customer, title=f"Edit customer {self.customer.customer_no}",
            submit="Save changes",
            cancel_url=reverse("billing:customer_detail", args=[self.customer.customer_id]),
            **kwargs)

    def call(self, form):
        return services.update_customer(customer_id=self.customer.customer_id,
                                        **form.procedure_arguments(), actor=self.actor())

    def succeed(self, form, result):
        messages.success(self.request, f"Customer {self.customer.customer_no} saved.")
        return redirect("billing:customer_detail", customer_id=result["customer_id"])
