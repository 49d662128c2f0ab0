"""What the print/PDF templates need when a caller other than the portal's views renders them
(the e-mailed bill and receipt PDFs of billing.notices pass `payment`/`bill`, `customer_name`
and `customer_login` only): the receipt as posted of a payment, and the utility's letterhead.
{% load portal_docs %}{% if not receipt %}{% receipt_of payment as receipt %}{% endif %}"""
import base64
import functools
import logging
import mimetypes

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


@functools.lru_cache(maxsize=4)
def _data_uri(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        logging.getLogger("billing.portal").error("the utility's logo %s: %s", path, e)
        return ""
    kind = mimetypes.guess_type(path)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


@register.simple_tag
def utility_logo(utility):
    """The utility's logo (settings.BILLING_UTILITY["logo"], a file) as a data: URI, so that the
    page, its print and the PDF (WeasyPrint fetches nothing) carry it alike; "" without one."""
    path = (utility or {}).get("logo")
    return _data_uri(path) if path else ""
