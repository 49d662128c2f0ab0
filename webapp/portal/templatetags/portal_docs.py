"""What the print/PDF templates need when a caller other than the portal's views renders them
(the e-mailed bill and receipt PDFs of billing.notices pass `payment`/`bill`, `customer_name`
and `customer_login` only): the receipt as posted of a payment, and the utility's letterhead.
{% load portal_docs %}{% if not receipt %}{% receipt_of payment as receipt %}{% endif %}"""
from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def receipt_of(payment):
    """v_receipt's row of `payment` (the caller has checked whose it is), with its lines and
    the card used; None without a payment."""
    if payment is None:
        return None
    from portal.models import CardPaymentMethod, Receipt, ReceiptLine
    r = Receipt.objects.filter(payment_id=payment.payment_id).first()
    if r is not None:
        r.lines = list(ReceiptLine.objects.filter(payment_id=r.payment_id))
        r.card = CardPaymentMethod.objects.filter(payment_id=r.payment_id).first()
    return r


@register.simple_tag
def utility_letterhead():
    return settings.BILLING_UTILITY
