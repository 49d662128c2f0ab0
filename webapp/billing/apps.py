from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing (views of the billing schema)"

    def ready(self):
        from billing.roles import ensure_groups
        # the staff role groups (clerk, billing_admin, manager): created after every migrate
        # of `default` (bin/webapp-setup) and after a test flush; idempotent
        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="billing.ensure_groups")
