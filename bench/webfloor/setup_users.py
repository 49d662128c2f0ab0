"""Creates the bench logins and their sessions; prints JSON with session cookies and ids.
argv: customer_id of the portal customer."""
import json
import sys

import django

django.setup()
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from portal.models import CustomerLogin  # noqa: E402

customer_id, customer_no = int(sys.argv[1]), sys.argv[2]
staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
staff.is_staff = True
staff.set_password("bench-staff-password")
staff.save()
from django.contrib.auth.models import Group  # noqa: E402
staff.groups.add(Group.objects.get_or_create(name="clerk")[0])   # billing/roles.py
# the back office's other pages (reports, runs, the review queue): a billing admin, whose role
# reaches every page a working day uses (billing/roles.py)
office, _ = User.objects.get_or_create(username="bench-office", defaults={"is_staff": True})
office.is_staff = True
office.set_password("bench-office-password")
office.save()
office.groups.add(Group.objects.get_or_create(name="billing_admin")[0])
cust, _ = User.objects.get_or_create(username="bench-customer")
cust.set_password("bench-customer-password")
cust.save()
CustomerLogin.objects.update_or_create(user=cust, defaults={
    "customer_id": customer_id, "customer_no": customer_no, "created_by": "bench"})


def session_for(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key


print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "staff": session_for(staff),
                  "office": session_for(office), "customer": session_for(cust)}))
