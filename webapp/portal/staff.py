"""Back office: creating a customer's portal login, the one place that does it.

POST /my/staff/customers/<id>/login/ (clerks and billing admins) creates the login
(portal.services.create_customer_login), records it in the audit trail (portal_login_issued,
through billing.services.record_audit_event) and keeps its one-time set-password link in the staff
user's server-side session, then redirects to .../login/link/, which shows the link ONCE (it is
removed from the session as it is shown; a reload says so) with a copy button, and offers to
e-mail a link to the customer's address in the billing schema instead. The link never travels in
a cookie (the messages framework's cookie storage is not used for it) nor in a URL the browser
keeps.
"""
from django.contrib import messages
from django.core.mail import send_mail
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views import View

from billing import selectors as billing_selectors
from billing.roles import DESK, RoleRequiredMixin, permissions
from billing import services as billing_services
from billing.services import actor_for
from portal import services
from portal.models import CustomerLogin

SESSION_KEY = "portal_login_links"


def _customer(customer_id):
    customer = billing_selectors.get_customer(customer_id=customer_id)
    if customer is None:
        raise Http404("No such customer")
    return customer


def _masked(email):
    name, _, domain = (email or "").partition("@")
    return f"{name[:1]}…@{domain}" if domain else ""


class StaffCreateLoginView(RoleRequiredMixin, View):
    roles = DESK

    def post(self, request, customer_id):
        customer = _customer(customer_id)
        try:
            url = services.create_customer_login(
                customer_id, created_by=actor_for(request.user),
                base_url=request.build_absolute_uri("/"))
        except services.NoSuchCustomer:
            raise Http404("No such customer")
        except services.LoginExists:
            messages.warning(request, f"Customer {customer.customer_no} has a portal login "
                                      "already.")
            return render(request, "portal/staff_login_created.html",
                          {"exists": True, "customer": customer,
                           "can": permissions(request.user)}, status=409)
        # issue 16: a login issued is a fact of the audit trail (docs/routines.md)
        billing_services.record_audit_event(
            action="portal_login_issued", object="customer", key=customer_id,
            detail={"username": customer.customer_no}, actor=actor_for(request.user))
        links = request.session.get(SESSION_KEY, {})
        links[str(customer_id)] = url
        request.session[SESSION_KEY] = links
        return redirect("portal:staff_login_link", customer_id=customer_id)


class StaffLoginLinkView(RoleRequiredMixin, View):
    """GET: the one-time link, once. POST: e-mail a set-password link to the customer."""
    roles = DESK

    def get(self, request, customer_id):
        customer = _customer(customer_id)
        links = request.session.get(SESSION_KEY, {})
        url = links.pop(str(customer_id), None)
        request.session[SESSION_KEY] = links
        response = render(request, "portal/staff_login_created.html", {
            "url": url, "customer": customer, "masked_email": _masked(customer.email),
            "can": permissions(request.user)})
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request, customer_id):
        customer = _customer(customer_id)
        login = CustomerLogin.objects.filter(customer_id=customer_id).select_related("user") \
            .first()
        if login is None:
            raise Http404("No portal login")
        if not customer.email:
            messages.error(request, "The customer has no e-mail address: add one first.")
            return redirect("billing:customer_detail", customer_id=customer_id)
        url = services.set_password_url(login.user, request.build_absolute_uri("/"))
        body = render_to_string("portal/staff_login_email.txt",
                                {"url": url, "customer": customer})
        send_mail("Your electricity account: set your password", body, None, [customer.email])
        messages.success(request, f"A set-password link was sent to {_masked(customer.email)}.")
        return redirect("billing:customer_detail", customer_id=customer_id)
