"""The staff login (Django's LoginView with billing.forms.StaffAuthenticationForm): a customer's
login is refused with a pointer to the customers' login page; a user who is logged in already
goes to the start page of the side their login belongs to (a customer: the account), not to a
page that answers 403."""
from django.contrib.auth import views as auth_views
from django.urls import reverse

from billing.forms import StaffAuthenticationForm
from billing.roles import roles_of


class StaffLoginView(auth_views.LoginView):
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and getattr(user, "customer_login", None) is not None \
                and not roles_of(user):
            return reverse("portal:dashboard")
        return super().get_default_redirect_url()
