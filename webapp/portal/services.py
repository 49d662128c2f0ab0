"""The portal's writes. Billing data changes only through billing.services (one procedure per
change); this module adds what lives in Django's own schema: the customer's login.

`create_customer_login(customer_id)` is what the back office calls: it makes the login (user
name = the customer number, no usable password yet) and returns the one-time set-password URL
(Django's token generator; the link stops working once a password is set, or after
PASSWORD_RESET_TIMEOUT).
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from billing import selectors as billing_selectors
from billing import services as billing_services
from portal.models import CustomerLogin


class LoginExists(Exception):
    """The customer has a login already."""


class NoSuchCustomer(Exception):
    pass


def set_password_url(user, base_url=""):
    """The one-time link where `user` sets a (new) password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("portal:password_reset_confirm",
                                          kwargs={"uidb64": uid, "token": token})


def create_customer_login(customer_id, *, created_by="staff", password=None, base_url=""):
    """Creates the login of billing customer `customer_id`; returns the one-time set-password URL
    (a path, or an absolute URL with `base_url`). `password`: set it at once (self-registration,
    demo logins); the returned link then still works once to change it.
    Raises NoSuchCustomer, LoginExists."""
    customer = billing_selectors.get_customer(customer_id=customer_id)
    if customer is None:
        raise NoSuchCustomer(customer_id)
    User = get_user_model()
    with transaction.atomic(using="default"):
        if (CustomerLogin.objects.filter(customer_id=customer_id).exists()
                or User.objects.filter(username=customer.customer_no).exists()):
            raise LoginExists(customer.customer_no)
        user = User(username=customer.customer_no, email=customer.email or "",
                    first_name=customer.full_name[:150])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        CustomerLogin.objects.create(user=user, customer_id=customer_id,
                                     customer_no=customer.customer_no, created_by=created_by)
    return set_password_url(user, base_url)


def update_contact(login, *, full_name, email, phone, address):
    """update_customer as the customer; the login's e-mail (for password reset) follows."""
    result = billing_services.update_customer(customer_id=login.customer_id, full_name=full_name,
                                              email=email, phone=phone, address=address,
                                              actor=login.actor)
    user = login.user
    user.email = email or ""
    user.save(update_fields=["email"])
    return result
