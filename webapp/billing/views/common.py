"""The pieces every back-office view module shares: ProcedureFormMixin (call one
procedure, show its refusal on the field it names), ObjectFormView (a form about one account
or payment) and path_for (one reverse() for a whole list's links)."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from billing import selectors, services
from billing.errors import BillingError, add_to_form
from billing.roles import DESK, RoleRequiredMixin


def path_for(name):
    """A function id -> the path of the URL pattern `name` with that one integer argument: one
    reverse() for a page's fifty links instead of fifty (a reverse costs about as much as
    rendering the row it is in)."""
    marker = 987654321
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"


class ProcedureFormMixin:
    """form_valid calls `self.call(form)`; a BillingError is shown on the form (on the field the
    server's message names, else above the form) and the page is rendered again with the input."""

    def actor(self):
        return services.actor_for(self.request.user)

    def form_valid(self, form):
        try:
            result = self.call(form)
        except BillingError as error:
            add_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form, error=error))
        return self.succeed(form, result)


class ObjectFormView(RoleRequiredMixin, ProcedureFormMixin, FormView):
    """A form about one account (or customer): loads it in dispatch (404 when missing, only for
    users with the role), and renders billing/action_form.html."""
    roles = DESK
    template_name = "billing/action_form.html"
    title = submit = ""

    def load(self):
        self.account = selectors.get_account(account_id=self.kwargs["account_id"])
        if self.account is None:
            raise Http404("No such account")
        self.customer = selectors.get_customer(customer_id=self.account.customer_id)

    def dispatch(self, request, *args, **kwargs):
        if self.test_func():
            self.load()
        return super().dispatch(request, *args, **kwargs)

    def cancel_url(self):
        return reverse("billing:account_detail", args=[self.account.account_id])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            account=getattr(self, "account", None), customer=self.customer, title=self.title,
            submit=self.submit, cancel_url=self.cancel_url(), **kwargs)

    def done(self, text):
        messages.success(self.request, text)
        return redirect("billing:account_detail", account_id=self.account.account_id)
