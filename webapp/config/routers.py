"""Which database each model lives in.

The billing app's models, and every model over a view of the billing schema (a
billing.models.ReadOnlyModel, marked `billing_view = True`, e.g. the portal's), are unmanaged
views of the billing schema: they are read from (and would be written to) the `billing` alias
and are never migrated by Django anywhere. This router is the one mechanism: no model manager or
query names an alias itself. Everything
else (auth, sessions, admin, contenttypes) lives in `default` and is migrated only there.
Report views (models with `report_view = True`) are read from the `billing_report` alias when
settings define it (BILLING_REPORT_DATABASE_URL, e.g. a cluster's read port). In the batch jobs,
whose account may only EXECUTE procedures, every other read of a view goes to the
`billing_read` alias when settings define it (BILLING_READ_DATABASE_URL, as billing_report).
"""
from django.conf import settings

BILLING_ALIAS = "billing"
BILLING_APP = "billing"
REPORT_ALIAS = "billing_report"
READ_ALIAS = "billing_read"


class BillingRouter:
    def _db(self, model):
        if model._meta.app_label == BILLING_APP or getattr(model, "billing_view", False):
            return BILLING_ALIAS
        return "default"

    def db_for_read(self, model, **hints):
        if getattr(model, "report_view", False) and REPORT_ALIAS in settings.DATABASES:
            return REPORT_ALIAS
        db = self._db(model)
        if db == BILLING_ALIAS and READ_ALIAS in settings.DATABASES:
            return READ_ALIAS
        return db

    def db_for_write(self, model, **hints):
        return self._db(model)

    def allow_relation(self, obj1, obj2, **hints):
        return self._db(type(obj1)) == self._db(type(obj2))

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == BILLING_APP:
            return False                 # the yoyo migrations own the billing schema
        return db == "default"
