"""Creates the demo logins if they are missing: `admin` (staff superuser), `clerk` (group clerk),
`billadmin` (group billing_admin) and `manager` (group manager); see billing/roles.py. Also a
portal login for the first demo customer (user name: its customer number), when the billing
schema has customers (password from WEBAPP_CUSTOMER_PASSWORD, else the demo password).

Passwords come from WEBAPP_ADMIN_PASSWORD / WEBAPP_CLERK_PASSWORD / WEBAPP_BILLADMIN_PASSWORD /
WEBAPP_MANAGER_PASSWORD, else a fixed demo password
(demo only: set the variables, or change the passwords, anywhere that matters). An existing
login is left as it is (its password is not changed).
"""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_PASSWORD = "demo-billing-2026"
LOGINS = [("admin", True, "WEBAPP_ADMIN_PASSWORD"), ("clerk", False, "WEBAPP_CLERK_PASSWORD"),
          ("billadmin", False, "WEBAPP_BILLADMIN_PASSWORD"),
          ("manager", False, "WEBAPP_MANAGER_PASSWORD")]
# the staff role group of each demo login (billing/roles.py); added to existing logins too
ROLE_OF = {"clerk": "clerk", "billadmin": "billing_admin", "manager": "manager"}


def _add_role(user, role):
    if role:
        from django.contrib.auth.models import Group
        user.groups.add(Group.objects.get_or_create(name=role)[0])


class Command(BaseCommand):
    help = ("Creates the demo staff logins admin, clerk, billadmin and manager if missing "
            "(and puts them in their role groups), and prints them.")

    def handle(self, *args, **options):
        User = get_user_model()
        lines = []
        for username, superuser, env in LOGINS:
            password = os.environ.get(env) or DEMO_PASSWORD
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                _add_role(existing, ROLE_OF.get(username))
                lines.append(f"  {username:6} exists already (password unchanged)")
                continue
            if superuser:
                User.objects.create_superuser(username=username, password=password, email="")
            else:
                user = User.objects.create_user(username=username, password=password,
                                                is_staff=True)
                _add_role(user, ROLE_OF.get(username))
            shown = f"password from {env}" if os.environ.get(env) else f"password {password}"
            lines.append(f"  {username:6} created: "
                         f"{'staff superuser' if superuser else 'staff, ' + ROLE_OF[username]}, "
                         f"{shown}")
        lines.append(self._customer_login())
        self.stdout.write("Web logins (DEMO ONLY - change these passwords for real use):")
        for line in lines:
            self.stdout.write(line)

    def _customer_login(self):
        """The portal login of the demo customer with the lowest id that has an account."""
        from billing.models import AccountBalance
        from portal import services as portal_services
        from portal.models import CustomerLogin

        first = (AccountBalance.objects.order_by("customer_id")
                 .values_list("customer_id", flat=True).first())
        if first is None:
            return "  (no customer yet: no portal login)"
        existing = CustomerLogin.objects.filter(customer_id=first).first()
        if existing is not None:
            return f"  {existing.customer_no} exists already (customer portal at /my/, password unchanged)"
        password = os.environ.get("WEBAPP_CUSTOMER_PASSWORD") or DEMO_PASSWORD
        portal_services.create_customer_login(first, created_by="batch:demo", password=password)
        login = CustomerLogin.objects.get(customer_id=first)
        shown = ("password from WEBAPP_CUSTOMER_PASSWORD" if os.environ.get("WEBAPP_CUSTOMER_PASSWORD")
                 else f"password {password}")
        return f"  {login.customer_no} created: customer portal at /my/, {shown}"
