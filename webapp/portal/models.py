"""The portal's models.

`CustomerLogin` is Django's own (schema `billing_web`, migrated by `manage.py migrate`): it ties
a Django user to one billing customer. Everything else is an unmanaged, read-only model over a
view of the billing schema, read through the `billing` alias (`BillingViewManager`); the billing
app's models (billing.models) are reused where they fit.
"""
from django.conf import settings
from django.db import models

from billing.models import KWH, MONEY, ReadOnlyModel

BILLING_ALIAS = "billing"


class CustomerLogin(models.Model):
    """The login of a customer: one user, one customer (by the billing schema's customer_id)."""
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="customer_login")
    customer_id = models.PositiveIntegerField(unique=True)
    customer_no = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)   # staff:<username> or "self-registration"

    def __str__(self):
        return f"{self.customer_no} ({self.user.get_username()})"

    @property
    def actor(self):
        """p_actor of the contract for this customer's own changes."""
        return f"customer:{self.customer_no}"


class BillingViewManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().using(BILLING_ALIAS)


class PortalView(ReadOnlyModel):
    objects = BillingViewManager()

    class Meta(ReadOnlyModel.Meta):
        abstract = True


class PortalAccount(PortalView):
    """db/views/v_portal_account.sql"""
    account_id = models.PositiveIntegerField(primary_key=True)
    account_no = models.CharField(max_length=12)
    customer_id = models.PositiveIntegerField()
    customer_no = models.CharField(max_length=12)
    status = models.CharField(max_length=6)
    service_address = models.CharField(max_length=500)
    tariff_name = models.CharField(max_length=100)
    balance = models.DecimalField(**MONEY)
    overdue_amount = models.DecimalField(**MONEY)
    amount_open = models.DecimalField(**MONEY)
    credit = models.DecimalField(**MONEY)
    amount_due = models.DecimalField(**MONEY)
    next_due_date = models.DateField(null=True)
    rebate_available = models.DecimalField(**MONEY)
    rebate_date = models.DateField(null=True)
    amount_due_with_rebate = models.DecimalField(**MONEY, null=True)

    class Meta(PortalView.Meta):
        db_table = "v_portal_account"
        ordering = ["account_no"]


class PortalUsage(PortalView):
    """db/views/v_portal_usage.sql: the last 12 billed periods of an account."""
    bill_id = models.PositiveIntegerField(primary_key=True)
    account_id = models.PositiveIntegerField()
    customer_id = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    consumption_kwh = models.DecimalField(**KWH)
    estimated = models.BooleanField()
    period_rank = models.PositiveIntegerField()
    max_kwh = models.DecimalField(**KWH)

    class Meta(PortalView.Meta):
        db_table = "v_portal_usage"
        ordering = ["account_id", "period_end"]


class PortalBill(PortalView):
    """v_bill_summary with the columns it has beyond the contract (customer, readings used)."""
    bill_id = models.PositiveIntegerField(primary_key=True)
    bill_no = models.CharField(max_length=12)
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    customer_id = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    days_billed = models.PositiveIntegerField()
    issue_date = models.DateField()
    due_date = models.DateField()
    rebate_date = models.DateField(null=True)
    consumption_kwh = models.DecimalField(**KWH)
    energy_charge = models.DecimalField(**MONEY)
    fixed_charge = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    rebate_amount = models.DecimalField(**MONEY)
    rebate_granted = models.BooleanField()
    late_fee = models.DecimalField(**MONEY)
    total_amount = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)
    amount_open = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10)
    estimated = models.BooleanField()
    prev_read_on = models.DateField()
    prev_read_value = models.DecimalField(max_digits=12, decimal_places=2)
    end_read_on = models.DateField()
    end_read_value = models.DecimalField(max_digits=12, decimal_places=2)
    tariff_code = models.CharField(max_length=20)

    class Meta(PortalView.Meta):
        db_table = "v_bill_summary"
        ordering = ["-issue_date", "-bill_id"]


class PortalBillLine(PortalView):
    pk = models.CompositePrimaryKey("bill_id", "line_no")
    bill_id = models.PositiveIntegerField()
    line_no = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    description = models.CharField(max_length=200)
    quantity_kwh = models.DecimalField(**KWH, null=True)
    rate = models.DecimalField(max_digits=14, decimal_places=6, null=True)
    amount = models.DecimalField(**MONEY)

    class Meta(PortalView.Meta):
        db_table = "v_bill_lines"
        ordering = ["line_no"]


class PortalPayment(PortalView):
    payment_id = models.PositiveIntegerField(primary_key=True)
    receipt_no = models.CharField(max_length=20)
    account_id = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20)
    paid_at = models.DateTimeField()
    allocated = models.DecimalField(**MONEY)
    unallocated = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10)

    class Meta(PortalView.Meta):
        db_table = "v_payments"
        ordering = ["-paid_at", "-payment_id"]
