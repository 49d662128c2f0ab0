"""The portal's models.

`CustomerLogin` is Django's own (schema `billing_web`, migrated by `manage.py migrate`): it ties
a Django user to one billing customer. Everything else is an unmanaged, read-only model over a
view of the billing schema, read through the `billing` alias (config.routers, `billing_view`); the billing
app's models (billing.models) are reused where they fit.
"""
from django.conf import settings
from django.db import models

from billing.models import KWH, MONEY, BillLine, BillSummary, Payment, ReadOnlyModel

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


class PortalView(ReadOnlyModel):
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
    """db/views/v_portal_usage.sql: the last 13 billed periods of an account, with what each
    cost as issued and the same period last year of the latest marked."""
    bill_id = models.PositiveIntegerField(primary_key=True)
    bill_no = models.CharField(max_length=20)
    account_id = models.PositiveIntegerField()
    customer_id = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    days_billed = models.PositiveIntegerField()
    consumption_kwh = models.DecimalField(**KWH)
    kwh_per_day = models.DecimalField(max_digits=20, decimal_places=1, null=True)
    estimated = models.BooleanField()
    issued_total = models.DecimalField(**MONEY)
    period_rank = models.PositiveIntegerField()
    is_last_year = models.BooleanField()
    max_kwh = models.DecimalField(**KWH)

    class Meta(PortalView.Meta):
        db_table = "v_portal_usage"
        ordering = ["account_id", "period_end"]


class Receipt(PortalView):
    """db/views/v_receipt.sql: a payment as posted (figures frozen at posting)."""
    payment_id = models.PositiveIntegerField(primary_key=True)
    receipt_no = models.CharField(max_length=20)
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    customer_id = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20)
    paid_at = models.DateTimeField()
    posted_at = models.DateTimeField()
    posted_by = models.CharField(max_length=100)
    status = models.CharField(max_length=10)
    reversed_at = models.DateTimeField(null=True)
    reversed_by = models.CharField(max_length=100, null=True)
    reversal_reason = models.CharField(max_length=500, null=True)
    posting_known = models.BooleanField()
    applied = models.DecimalField(**MONEY, null=True)
    rebate_earned = models.DecimalField(**MONEY, null=True)
    credit_left = models.DecimalField(**MONEY, null=True)
    balance_after = models.DecimalField(**MONEY, null=True)

    class Meta(PortalView.Meta):
        db_table = "v_receipt"

    @property
    def cashier(self):
        """The staff member who took a counter payment (posted_by staff:<user>), else None."""
        return self.posted_by[6:] if self.posted_by.startswith("staff:") else None


class ReceiptLine(PortalView):
    """db/views/v_receipt_lines.sql: the bills a payment paid at posting."""
    pk = models.CompositePrimaryKey("payment_id", "bill_id")
    payment_id = models.PositiveIntegerField()
    bill_id = models.PositiveIntegerField()
    bill_no = models.CharField(max_length=16)
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()
    applied = models.DecimalField(**MONEY)
    rebate_earned = models.DecimalField(**MONEY)

    class Meta(PortalView.Meta):
        db_table = "v_receipt_lines"
        ordering = ["due_date", "bill_id"]


# The bills, their lines and the payments are the staff app's models over the same contract views
# (the router sends the billing app's models to the billing database).
PortalBill = BillSummary
PortalBillLine = BillLine
PortalPayment = Payment


class ChargeToReconcile(models.Model):
    """A card charge the gateway approved whose posting in the billing schema is not certain
    (written by portal.payments.pay_by_card; listed for billing admins at
    /billing/payments/reconcile/). Never refunded automatically: staff look at the gateway and at
    the account's payments, then mark it settled with a note."""
    created_at = models.DateTimeField(auto_now_add=True)
    account_id = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reference = models.CharField(max_length=64)          # the gateway reference = idempotency key
    transaction_id = models.CharField(max_length=100, blank=True)
    actor = models.CharField(max_length=150)             # customer:<customer_no>
    reason = models.CharField(max_length=100)            # e.g. IDEMPOTENCY_MISMATCH, 2013
    detail = models.TextField(blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=150, blank=True)
    settled_note = models.TextField(blank=True)

    class Meta:
        ordering = ["settled_at", "-created_at"]
        indexes = [models.Index(fields=["settled_at", "created_at"])]

    def __str__(self):
        return f"{self.reference} {self.amount} ({self.reason})"


class CardPaymentMethod(models.Model):
    """How a card payment was paid, as the gateway answered (written by
    portal.payments.pay_by_card once the payment is posted): the brand and the last four digits,
    never the card number. The receipt shows them; keyed by the billing schema's payment_id."""
    payment_id = models.PositiveIntegerField(primary_key=True)
    brand = models.CharField(max_length=30)
    last4 = models.CharField(max_length=4)
    transaction_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.brand} ending {self.last4}"


class PasswordResetRequest(models.Model):
    """One password-reset request (the form's rate limit, portal.forms.CustomerPasswordResetForm):
    a hash of the address asked for (not the address) and the client's address. Rows older than
    a day are deleted as new ones come."""
    PER_ADDRESS = 3          # requests per address per hour
    PER_CLIENT = 10          # requests per client address per hour
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    email_hash = models.CharField(max_length=64, db_index=True)
    client = models.CharField(max_length=45, blank=True, db_index=True)

    @classmethod
    def allow(cls, *, email, request):
        """Records this request; True when it is within both limits (then send the mail)."""
        import datetime
        import hashlib

        from django.utils import timezone

        from config.clientip import client_ip
        now = timezone.now()
        hour_ago = now - datetime.timedelta(hours=1)
        cls.objects.filter(created_at__lt=now - datetime.timedelta(days=1)).delete()
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        client = (client_ip(request) if request is not None else None) or ""
        recent = cls.objects.filter(created_at__gte=hour_ago)
        by_address = recent.filter(email_hash=digest).count()
        by_client = recent.filter(client=client).count() if client else 0
        cls.objects.create(email_hash=digest, client=client)
        return by_address < cls.PER_ADDRESS and by_client < cls.PER_CLIENT

