"""Customer portal pages (/my/). Every page needs a logged-in user with a CustomerLogin (else:
anonymous -> the portal's login page, a staff user without one -> 403); every read is filtered by
that customer's customer_id, so another customer's account, bill or payment answers 404. Writes
call one procedure each through billing.services, as `customer:<customer_no>` (card payments
through portal.payments). The back office's pages of this app are in portal.staff (creating a
customer's login) and portal.reconcile (card charges to reconcile)."""
import datetime
import logging

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, View

from billing import comparison, paging
from billing import services as billing_services
from billing.documents import bill_document
from billing.errors import BillingError
from billing.formatting import money
from billing.selectors import get_customer
from billing.views.payments import PostedForms
from portal import payments, selectors, services
from portal.forms import (BillFilterForm, ContactForm, CustomerAuthenticationForm, PaymentForm,
                          PortalPasswordChangeForm, RegistrationForm, new_idempotency_key)
from portal.models import CustomerLogin

log = logging.getLogger("billing.portal")


# One plain sentence per field a refusal can be about; the rest take the contract's sentence.
# Each says what the database checks (db/procedures/_check_customer_fields.sql: a name is
# required, at most 200 characters; an e-mail has one @ and a dot in its domain; a phone at most
# 40 characters, an address 500), nothing more: any characters are accepted, and shown escaped.
FIELD_SENTENCES = {
    "email": "Enter an e-mail address like name@example.org.",
    "phone": "Enter a phone number of at most 40 characters.",
    "full_name": "Enter your full name (at most 200 characters).",
    "address": "Enter your postal address (at most 500 characters).",
    "amount": "Enter an amount above zero and at most 1,000,000.00.",
}


def refusal_to_form(form, error):
    """A database refusal reaches the customer as one plain sentence on the field it is about
    (never an error code or the server's text); the errno, code and text go to the log."""
    from django.core.exceptions import ValidationError
    log.warning("portal refusal errno=%s code=%s: %s", error.errno, error.code, error.message)
    field = error.field if error.field in form.fields else None
    sentence = FIELD_SENTENCES.get(field) or error.user_message
    form.add_error(field, ValidationError(sentence, code=error.code))


class CustomerRequiredMixin(AccessMixin):
    """Anonymous: to the portal's login page. Logged in without a customer login: 403."""
    login_url = reverse_lazy("portal:login")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.login = request.user.customer_login
        except CustomerLogin.DoesNotExist:
            raise PermissionDenied("Not a customer login")
        self.customer_id = self.login.customer_id
        return super().dispatch(request, *args, **kwargs)


# --- access -------------------------------------------------------------------------------------
class PortalLoginView(auth_views.LoginView):
    """The customers' login (CustomerAuthenticationForm: a staff login is refused with a pointer
    to the staff login). A user logged in already goes to their side's start page: a staff
    login to the staff start page, not to /my/, which answers 403."""
    template_name = "portal/login.html"
    authentication_form = CustomerAuthenticationForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("portal:dashboard")

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and getattr(user, "customer_login", None) is None:
            return reverse("billing:home")
        return reverse("portal:dashboard")


class RegisterView(FormView):
    """Self-registration: the customer proves ownership with the customer number, an account
    number and the amount of that account's last bill. Guessing is limited like logging in: each
    refused proof counts as a failed log-in of the name "self-registration" from this address
    (django-axes), so after AXES_FAILURE_LIMIT of them the form answers 429 for
    AXES_COOLOFF_TIME, whatever customer numbers were tried."""
    template_name = "portal/register.html"
    form_class = RegistrationForm
    REFUSED = ("These details do not match our records. Check the customer number, the account "
               "number and the amount of your last bill (as printed on it).")
    AXES_CREDENTIALS = {"username": "self-registration"}

    @method_decorator(sensitive_post_parameters("password1", "password2"))
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not AxesProxyHandler.is_allowed(request, credentials=self.AXES_CREDENTIALS):
            return get_lockout_response(request, credentials=self.AXES_CREDENTIALS)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        d = form.cleaned_data
        customer_id = selectors.owns_account_with_last_bill(
            customer_no=d["customer_no"], account_no=d["account_no"],
            amount=d["last_bill_amount"])
        if customer_id is None:
            # axes' middleware answers with the lockout page once this failure reaches the limit
            user_login_failed.send(sender=type(self), credentials=self.AXES_CREDENTIALS,
                                   request=self.request)
            form.add_error(None, self.REFUSED)
            return self.form_invalid(form)
        try:
            services.create_customer_login(customer_id, created_by="self-registration",
                                           password=d["password1"])
        except services.LoginExists:
            form.add_error(None, "You have a login already: log in, or use “Forgot your "
                                 "password?” to set a new password.")
            return self.form_invalid(form)
        user = CustomerLogin.objects.get(customer_id=customer_id).user
        auth_login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Your login is ready. Welcome!")
        return redirect("portal:dashboard")


# --- pages ----------------------------------------------------------------------------------------
class DashboardView(CustomerRequiredMixin, TemplateView):
    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs):
        accounts = selectors.accounts(customer_id=self.customer_id)
        for a in accounts:
            a.usage = selectors.usage(account_id=a.account_id)
            # the latest bill and why it differs from the one before ("is it normal?")
            a.latest_bill = selectors.latest_bill(customer_id=self.customer_id,
                                                  account_id=a.account_id)
            a.why = a.latest_bill and comparison.why(bill_id=a.latest_bill.bill_id)
        return super().get_context_data(accounts=accounts, **kwargs)


class BillListView(CustomerRequiredMixin, TemplateView):
    template_name = "portal/bill_list.html"

    def get_context_data(self, **kwargs):
        accounts = selectors.accounts(customer_id=self.customer_id)
        form = BillFilterForm(self.request.GET or None,
                              years=selectors.bill_years(customer_id=self.customer_id),
                              accounts=accounts)
        filters = form.cleaned_data if form.is_valid() else {}
        bills = paging.page(self.request, selectors.bills(
            customer_id=self.customer_id, year=filters.get("year"),
            status=filters.get("status") or None, account_id=filters.get("account")), "page")
        return super().get_context_data(form=form, bills=bills, today=datetime.date.today(),
                                        **kwargs)


class BillMixin(CustomerRequiredMixin):
    def get_bill(self):
        bill = selectors.bill(customer_id=self.customer_id, bill_id=self.kwargs["bill_id"])
        if bill is None:
            raise Http404("No such bill")
        return bill

    def bill_context(self):
        bill = self.get_bill()
        return {"bill": bill, **bill_document(bill),
                "account": selectors.account_header(customer_id=self.customer_id,
                                                    account_id=bill.account_id),
                "customer_login": self.login,
                "customer": get_customer(customer_id=self.customer_id),
                "utility": settings.BILLING_UTILITY}


class BillDetailView(BillMixin, TemplateView):
    template_name = "portal/bill_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.bill_context(), today=datetime.date.today(),
                                        **kwargs)


class BillPrintView(BillMixin, TemplateView):
    template_name = "portal/bill_print.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.bill_context(), **kwargs)


def pdf_response(request, template, context, filename):
    from weasyprint import HTML  # imported on use: it loads Pango
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class BillPdfView(BillMixin, View):
    def get(self, request, bill_id):
        context = self.bill_context()
        return pdf_response(request, "portal/bill_print.html", context,
                            f"bill-{context['bill'].bill_no}.pdf")


@method_decorator(sensitive_post_parameters("card_number", "card_cvc", "card_expiry",
                                            "card_holder"), name="dispatch")
class PayView(CustomerRequiredMixin, FormView):
    """GET: the form, pre-filled with the rebated amount while a rebate is on offer, else the
    amount due, with a fresh idempotency key. POST: the form checks the amount (contract limits)
    and the card's shape; portal.payments.pay_by_card runs the saga (charge, post, refund or
    reconcile); a double submit and a retry give the same receipt. A rendered form pays once:
    its first payment is remembered for this session (billing.views.payments.PostedForms), and
    the form sent again with another amount (Back, a changed figure) charges nothing and says,
    above the form, what it paid, with a link to start a new payment."""
    template_name = "portal/pay.html"
    form_class = PaymentForm
    SESSION_KEY = "portal_pay_forms"      # billing.views.payments.PostedForms

    def get_account(self):
        if not hasattr(self, "_account"):
            self._account = selectors.account(customer_id=self.customer_id,
                                              account_id=self.kwargs["account_id"])
            if self._account is None:
                raise Http404("No such account")
        return self._account

    def get(self, request, *args, **kwargs):
        self.get_account()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_account()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        a = self.get_account()
        amount = a.amount_due_with_rebate if a.amount_due_with_rebate is not None else a.amount_due
        return {"amount": amount if amount else None, "idempotency_key": new_idempotency_key(),
                "owed_shown": a.amount_due}

    def get_form_kwargs(self):
        account_id, actor = self.get_account().account_id, self.login.actor
        return {**super().get_form_kwargs(), "owed": self.get_account().amount_due,
                "preview": lambda amount: billing_services.preview_payment(
                    account_id=account_id, amount=amount, actor=actor)}

    def get_context_data(self, **kwargs):
        account = self.get_account()
        return super().get_context_data(
            account=account, currency=settings.BILLING_CURRENCY, open_bills=selectors.open_bills(
                customer_id=self.customer_id, account_id=account.account_id), **kwargs)

    def _again(self, form, error=None, message=None):
        """The form again with the user's input and a fresh key (nothing was posted)."""
        if message:
            form.add_error(None, message)
        data = form.data.copy()
        data["idempotency_key"] = new_idempotency_key()
        form.data = data
        return self.render_to_response(self.get_context_data(form=form, error=error))

    def _used(self, form, paid=None):
        """The form was used already for a payment (another amount now): nothing is charged;
        said in the customer's words, above the form, with the way to start a new payment
        instead of the form (sent again it would be refused again)."""
        if paid is not None:
            text = (f"This payment form was already used to pay {money(paid.amount)} (receipt "
                    f"{paid.receipt_no}). Nothing was charged now. To pay again, start a new "
                    "payment.")
        else:
            text = ("This payment form was already used for another amount. Nothing was "
                    "charged now. To pay again, start a new payment.")
        form.add_error(None, text)
        return self.render_to_response(self.get_context_data(
            form=form, error=True, form_used=True, paid=paid,
            start_over_url=reverse("portal:pay", args=[self.get_account().account_id])))

    def form_valid(self, form):
        account = self.get_account()
        amount, key = form.cleaned_data["amount"], form.cleaned_data["idempotency_key"]
        posted = PostedForms(self.request, self.SESSION_KEY)
        first = posted.get(key, account_id=account.account_id)
        paid = first and selectors.payment(customer_id=self.customer_id,
                                           payment_id=first["payment_id"])
        if paid and paid.amount != amount:
            # this form paid another amount before: the card is not charged again
            return self._used(form, paid)
        result = payments.pay_by_card(
            account_id=account.account_id, account_open=account.status == "open",
            amount=amount, reference=key, card=form.card(), actor=self.login.actor)
        if result.status in (payments.POSTED, payments.REPLAYED):
            posted.remember(key, account_id=account.account_id, payment_id=result.payment_id,
                            key=key)
        if result.status == payments.POSTED:
            messages.success(self.request, result.message)
        elif result.status == payments.REPLAYED:
            messages.info(self.request, result.message)
        elif result.status == payments.TO_RECONCILE:
            messages.warning(self.request, result.message)
            return redirect("portal:payment_list")
        else:                   # refused, declined, refunded: nothing stands; the form again
            if result.status == payments.DECLINED and result.conflict:
                return self._used(form)     # the gateway knows the form's reference
            if result.status == payments.DECLINED:
                # on the card field the gateway names; a refusal about no field (not about
                # the card) above the form
                form.add_error({"number": "card_number", "expiry": "card_expiry",
                                "cvc": "card_cvc"}.get(result.field), result.message)
            elif result.error is not None:
                refusal_to_form(form, result.error)
                form.add_error(None, "The charge on your card was refunded.")
            else:
                form.add_error(None, result.message)
            return self._again(form, error=result.error)
        return redirect("portal:payment_detail", payment_id=result.payment_id)


class PaymentListView(CustomerRequiredMixin, TemplateView):
    template_name = "portal/payment_list.html"

    def get_context_data(self, **kwargs):
        accounts = {a.account_id: a for a in selectors.accounts(customer_id=self.customer_id)}
        payments = selectors.payments(customer_id=self.customer_id)
        for p in payments:
            p.account = accounts.get(p.account_id)
        return super().get_context_data(payments=payments,
                                        refunds=selectors.refunds(customer_id=self.customer_id),
                                        **kwargs)


class PaymentMixin(CustomerRequiredMixin):
    """A receipt: the payment as posted (v_receipt, frozen at posting), the customer's name and
    mailing address, the utility's letterhead (settings.BILLING_UTILITY)."""
    def payment_context(self):
        receipt = selectors.receipt(customer_id=self.customer_id,
                                    payment_id=self.kwargs["payment_id"])
        if receipt is None:
            raise Http404("No such payment")
        return {"payment": receipt, "receipt": receipt, "customer_login": self.login,
                "customer": get_customer(customer_id=self.customer_id),
                "utility": settings.BILLING_UTILITY}


class PaymentDetailView(PaymentMixin, TemplateView):
    template_name = "portal/payment_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.payment_context(), **kwargs)


class PaymentPdfView(PaymentMixin, View):
    def get(self, request, payment_id):
        context = self.payment_context()
        return pdf_response(request, "portal/receipt_print.html", context,
                            f"receipt-{context['payment'].receipt_no}.pdf")


class ProfileView(CustomerRequiredMixin, FormView):
    template_name = "portal/profile.html"
    form_class = ContactForm

    def get_initial(self):
        c = get_customer(customer_id=self.customer_id)
        return {"full_name": c.full_name, "email": c.email or "", "phone": c.phone or "",
                "address": c.address or ""}

    def get_context_data(self, **kwargs):
        from portal.messages import PreferencesForm   # the e-mail preferences (issue 23)
        kwargs.setdefault("prefs_form", PreferencesForm.for_customer(self.customer_id))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.update_contact(self.login, **form.procedure_arguments())
        except BillingError as error:
            refusal_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form, error=error))
        messages.success(self.request, "Your contact details were saved.")
        return redirect("portal:profile")


class PortalPasswordChangeView(CustomerRequiredMixin, auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("portal:profile")

    def form_valid(self, form):
        messages.success(self.request, "Your password was changed.")
        return super().form_valid(form)
