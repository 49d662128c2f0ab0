"""For the back office's customer page: the customer's portal login, if any (portal's own table,
billing_web). A template tag, so that the billing app reads it without importing portal (the web
layer's dependencies run portal -> billing only):

    {% load portal_staff %}{% portal_login_of customer.customer_id as portal_login %}
"""
from django import template

from portal.models import CustomerLogin

register = template.Library()


@register.simple_tag
def portal_login_of(customer_id):
    """The CustomerLogin of the billing customer `customer_id` (with its user), or None."""
    return CustomerLogin.objects.select_related("user").filter(customer_id=customer_id).first()
