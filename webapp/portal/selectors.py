"""The portal's reads. Every function takes the logged-in customer's customer_id and returns
only that customer's rows: an id of another customer's account, bill or payment gives None
(the views answer 404)."""
from decimal import Decimal, InvalidOperation

from billing.models import Account
from portal.models import (CardPaymentMethod,
                           PortalAccount, PortalBill, PortalBillLine, PortalPayment, PortalUsage,
                           Receipt, ReceiptLine)

BILL_STATUSES = ["open", "partial", "paid", "cancelled"]


def accounts(*, customer_id):
    return list(PortalAccount.objects.filter(customer_id=customer_id))


def account(*, customer_id, account_id):
    return PortalAccount.objects.filter(customer_id=customer_id, account_id=account_id).first()


def account_header(*, customer_id, account_id):
    """The account's name plate on a bill: number, address, tariff, status, from v_account
    (v_portal_account computes balances too: several times the cost, mostly for opening its
    nested views)."""
    return (Account.objects.filter(customer_id=customer_id, account_id=account_id)
            .only("account_id", "account_no", "customer_id", "status", "service_address",
                  "tariff_name").first())


def usage(*, account_id):
    """The account's last 13 billed periods, oldest first (v_portal_usage), each with its bill's
    total now (`total_amount`, v_bill_summary's: after a rebate granted or a late fee charged
    since it was issued), the figure the bill list shows for the same bill."""
    rows = list(PortalUsage.objects.filter(account_id=account_id).order_by("period_end"))
    totals = dict(PortalBill.objects.filter(account_id=account_id,
                                            bill_id__in=[r.bill_id for r in rows])
                  .values_list("bill_id", "total_amount"))
    for r in rows:
        r.total_amount = totals[r.bill_id]
    return rows


def bills(*, customer_id, year=None, status=None, account_id=None):
    """The customer's bills, newest first, as a queryset (the list pages it). status "unpaid"
    is open or partly paid."""
    qs = PortalBill.objects.filter(customer_id=customer_id)
    if year:
        qs = qs.filter(issue_date__year=year)
    if status == "unpaid":
        qs = qs.filter(status__in=["open", "partial"])
    elif status:
        qs = qs.filter(status=status)
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs


def open_bills(*, customer_id, account_id):
    """The account's bills with money open, in the order a payment pays them (due date, then
    bill id: the allocation rule), with amount_open as v_bill_summary has it."""
    return list(PortalBill.objects.filter(customer_id=customer_id, account_id=account_id,
                                          amount_open__gt=0)
                .exclude(status="cancelled").order_by("due_date", "bill_id"))


def latest_bill(*, customer_id, account_id):
    """The account's latest bill that is not cancelled (None before the first bill)."""
    return (PortalBill.objects.filter(customer_id=customer_id, account_id=account_id)
            .exclude(status="cancelled").order_by("-period_end", "-bill_id").first())


def bill_years(*, customer_id):
    return sorted({d.year for d in PortalBill.objects.filter(customer_id=customer_id)
                   .values_list("issue_date", flat=True)}, reverse=True)


def bill(*, customer_id, bill_id):
    return PortalBill.objects.filter(customer_id=customer_id, bill_id=bill_id).first()


def bill_lines(*, bill_id):
    return list(PortalBillLine.objects.filter(bill_id=bill_id))


def _account_ids(customer_id):
    return list(PortalAccount.objects.filter(customer_id=customer_id)
                .values_list("account_id", flat=True))


def payments(*, customer_id):
    return list(PortalPayment.objects.filter(account_id__in=_account_ids(customer_id)))


def payment(*, customer_id, payment_id):
    return PortalPayment.objects.filter(account_id__in=_account_ids(customer_id),
                                        payment_id=payment_id).first()


def refunds(*, customer_id):
    """The customer's refunds (v_refunds), newest first."""
    from billing.models import Refund
    return list(Refund.objects.filter(customer_id=customer_id))


def receipt(*, customer_id, payment_id):
    """The payment's receipt as posted (v_receipt), its bills (v_receipt_lines) and the card
    used (brand and last four, when paid by card in the portal); None when not this customer's."""
    r = Receipt.objects.filter(customer_id=customer_id, payment_id=payment_id).first()
    if r is None:
        return None
    r.lines = list(ReceiptLine.objects.filter(payment_id=payment_id))
    r.card = CardPaymentMethod.objects.filter(payment_id=payment_id).first()
    return r


def owns_account_with_last_bill(*, customer_no, account_no, amount):
    """Self-registration's proof of ownership: the account `account_no` belongs to the customer
    `customer_no`, and its latest bill's total as printed on it (issued_total: a late fee or a
    rebate since does not change what the customer reads on the paper) equals `amount` exactly
    (a Decimal comparison, no arithmetic). Returns the customer_id, or None."""
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        return None
    acc = PortalAccount.objects.filter(customer_no=customer_no, account_no=account_no).first()
    if acc is None:
        return None
    last = PortalBill.objects.filter(account_id=acc.account_id).exclude(status="cancelled") \
        .order_by("-issue_date", "-bill_id").first()
    if last is None or last.issued_total != amount:
        return None
    return acc.customer_id
