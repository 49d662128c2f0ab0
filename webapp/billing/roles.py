"""Staff roles: three Django groups, and the mixin every staff page uses to check them.

- clerk          customers, accounts, meters, readings (entry, CSV upload, review queue) and
                 counter payments; reads every staff page except reports and the audit trail
- billing_admin  everything a clerk does, and tariffs, discounts, billing runs, late fees,
                 payment reversals, bill cancels and re-bills, refunds, reports and the audit
                 trail
- manager        reads everything (customers, accounts, runs, tariffs, reports, audit); changes
                 nothing

A superuser has every role. A logged-in user without `is_staff` or without any of the roles a
page needs gets 403; an anonymous user is sent to the login page.

The groups are created idempotently after every `migrate` (and after the test runner's flush)
by the post_migrate handler `ensure_groups`, connected in apps.py.
"""
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin

CLERK = "clerk"
BILLING_ADMIN = "billing_admin"
MANAGER = "manager"
ROLES = (CLERK, BILLING_ADMIN, MANAGER)

# what each kind of page needs (any one of the roles)
READ = frozenset(ROLES)                           # look at customers, accounts, runs, tariffs
DESK = frozenset({CLERK, BILLING_ADMIN})          # customers, accounts, meters, readings, payments
ADMIN = frozenset({BILLING_ADMIN})                # tariffs, discounts, runs, late fees, reversals
REPORTS = frozenset({BILLING_ADMIN, MANAGER})     # reports and the audit trail


def ensure_groups(using="default", **kwargs):
    """Creates the role groups on `using` if missing (post_migrate handler; idempotent)."""
    from django.contrib.auth.models import Group
    from django.db import router
    if not router.allow_migrate_model(using, Group):
        return
    for name in ROLES:
        Group.objects.using(using).get_or_create(name=name)


def roles_of(user):
    """The set of roles of a user (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff or not user.is_active:
        return frozenset()
    cached = getattr(user, "_billing_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ROLES)
        else:
            cached = _group_names(user)
        user._billing_roles = cached
    return cached


def _group_names(user):
    """The user's groups among ROLES: one statement written out, as every staff page asks it
    (`user.groups.filter(...)` cost 0.3 ms of the ORM's work a page on top of the query)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connections, router
    groups, members = Group._meta.db_table, get_user_model().groups.through._meta.db_table
    with connections[router.db_for_read(Group)].cursor() as cur:
        cur.execute(f"SELECT g.name FROM {groups} g JOIN {members} m ON m.group_id = g.id "
                    f"WHERE m.user_id = %s AND g.name IN ({', '.join(['%s'] * len(ROLES))})",
                    [user.pk, *ROLES])
        return frozenset(name for (name,) in cur.fetchall())


def can(user, needed):
    return bool(roles_of(user) & needed)


def permissions(user):
    """For templates: which kinds of action to offer (`can.desk`, `can.admin`, ...)."""
    mine = roles_of(user)
    return {"read": bool(mine & READ), "desk": bool(mine & DESK), "admin": bool(mine & ADMIN),
            "reports": bool(mine & REPORTS), "roles": sorted(mine)}


class RoleRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Anonymous: to the login page. Logged in without one of `roles`: 403."""
    roles = READ

    def test_func(self):
        return can(self.request.user, self.roles)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("can", permissions(self.request.user))
        return super().get_context_data(**kwargs)
