"""The portal's "Messages" page (what we e-mailed the customer, each viewable again) and the
e-mail preferences shown on the profile page (issue 23; docs/notices.md).

Reads: billing.models.Notice (v_notices) and ContactPreferences (v_contact_preferences), always
filtered by the logged-in customer. Writes: set_contact_preferences through billing.services.
"""
import logging

from django import forms
from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from billing import notices, services
from billing.errors import BillingError
from billing.models import ContactPreferences, Notice
from portal.views import CustomerRequiredMixin

log = logging.getLogger("billing.portal")

KIND_LABELS = {
    "bill_issued": "Bill ready", "final_bill": "Final bill", "payment_received": "Payment received",
    "payment_reversed": "Payment reversed", "bill_cancelled": "Bill cancelled",
    "refund_paid": "Refund paid", "due_soon": "Due soon", "overdue_1": "Overdue",
    "overdue_2": "Second reminder", "final_notice": "Final notice",
}


def sent_messages(*, customer_id):
    return list(Notice.objects.filter(customer_id=customer_id, status="sent")
                .order_by("-sent_at", "-notice_id"))


def preferences(*, customer_id):
    return ContactPreferences.objects.filter(customer_id=customer_id).first()


class PreferencesForm(forms.Form):
    email_bills = forms.BooleanField(label="E-mail me my bills (with the PDF)", required=False)
    email_reminders = forms.BooleanField(label="E-mail me payment reminders", required=False)
    paperless = forms.BooleanField(label="Paperless: no printed bills by post", required=False)

    @classmethod
    def for_customer(cls, customer_id, data=None):
        p = preferences(customer_id=customer_id)
        initial = ({"email_bills": p.email_bills, "email_reminders": p.email_reminders,
                    "paperless": p.paperless} if p else {})
        return cls(data=data, initial=initial, prefix="prefs")


class MessageListView(CustomerRequiredMixin, TemplateView):
    template_name = "portal/message_list.html"

    def get_context_data(self, **kwargs):
        rows = sent_messages(customer_id=self.customer_id)
        for n in rows:
            n.label = KIND_LABELS.get(n.kind, n.kind)
        return super().get_context_data(notices=rows, **kwargs)


class MessageDetailView(CustomerRequiredMixin, TemplateView):
    template_name = "portal/message_detail.html"

    def get_context_data(self, **kwargs):
        n = Notice.objects.filter(customer_id=self.customer_id, status="sent",
                                  notice_id=self.kwargs["notice_id"]).first()
        if n is None:
            raise Http404("No such message")
        subject, text, _html, _ = notices.render(
            {"notice_id": n.notice_id, "kind": n.kind, "customer_id": n.customer_id,
             "email": n.email, "account_id": n.account_id, "bill_id": n.bill_id,
             "payment_id": n.payment_id, "refund_id": n.refund_id}, attachments=False)
        return super().get_context_data(notice=n, subject=subject, text=text, **kwargs)


class PreferencesView(CustomerRequiredMixin, FormView):
    """POST from the profile page's second form. A GET (the address typed, a bookmark, the
    browser going back to it) is sent to the profile page, where the form is: a bare 405 page
    led nowhere."""
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect("portal:profile")

    def get_form(self, form_class=None):
        return PreferencesForm.for_customer(self.customer_id, data=self.request.POST)

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            services.set_contact_preferences(
                customer_id=self.customer_id, email_bills=int(d["email_bills"]),
                email_reminders=int(d["email_reminders"]), paperless=int(d["paperless"]),
                actor=self.login.actor)
        except BillingError as error:
            # the customer reads a sentence, never the server's text (portal.views'
            # refusal_to_form logs it the same way)
            log.warning("preferences refused errno=%s code=%s: %s", error.errno, error.code,
                        error.message)
            flash.error(self.request, "Your preferences were not saved: "
                                      f"{error.user_message} Please try again.")
        else:
            flash.success(self.request, "Your e-mail preferences were saved.")
        return redirect("portal:profile")

    def form_invalid(self, form):
        flash.error(self.request, "Your preferences were not saved.")
        return redirect("portal:profile")
