"""Creates the demo logins if they are missing: `admin` (staff superuser) and `clerk` (staff).

Passwords come from WEBAPP_ADMIN_PASSWORD / WEBAPP_CLERK_PASSWORD, else a fixed demo password
(demo only: set the variables, or change the passwords, anywhere that matters). An existing
login is left as it is (its password is not changed).
"""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_PASSWORD = "demo-billing-2026"
LOGINS = [("admin", True, "WEBAPP_ADMIN_PASSWORD"), ("clerk", False, "WEBAPP_CLERK_PASSWORD")]


class Command(BaseCommand):
    help = "Creates the demo staff logins admin and clerk if missing, and prints them."

    def handle(self, *args, **options):
        User = get_user_model()
        lines = []
        for username, superuser, env in LOGINS:
            password = os.environ.get(env) or DEMO_PASSWORD
            if User.objects.filter(username=username).exists():
                lines.append(f"  {username:6} exists already (password unchanged)")
                continue
            if superuser:
                User.objects.create_superuser(username=username, password=password, email="")
            else:
                User.objects.create_user(username=username, password=password, is_staff=True)
            shown = f"password from {env}" if os.environ.get(env) else f"password {password}"
            lines.append(f"  {username:6} created: {'staff superuser' if superuser else 'staff'}, "
                         f"{shown}")
        self.stdout.write("Web logins (DEMO ONLY - change these passwords for real use):")
        for line in lines:
            self.stdout.write(line)
