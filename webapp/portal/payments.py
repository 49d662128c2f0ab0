"""The card-payment saga of the portal: charge the card, post the payment, and undo or report
what cannot stand. One function, `pay_by_card`, with one result type, `CardPaymentResult`.

Steps and rules (issue 16, docs/payments.md "Card payments"):
1. The amount is checked against the contract's limits (`check_amount`: above zero, at most
   1,000,000.00, at most two decimals) and the account must be open: else `refused`, the card is
   never charged.
2. The gateway charges `amount` under `reference` (the form's idempotency key) for this account.
   The gateway binds a reference to its first account and amount: a repeat with another account
   or amount is an error (`declined`, nothing charged), never the earlier approval.
   A declined card: `declined`. A gateway that fails without an answer: `to_reconcile`.
3. post_payment with the same key (billing.services retries 1213/1205 there, the only retry):
   - posted -> `posted`; answered as a replay of the same payment -> `replayed`;
   - a contract error (45xxx) other than 45022: the procedure rolled back, nothing was posted
     -> refund the charge -> `refunded` (if the refund fails: `to_reconcile`);
   - 45022 IDEMPOTENCY_MISMATCH: a payment already holds this reference -> never refund (the
     money may be that payment's) -> `to_reconcile`;
   - anything else (a deadlock or lock wait timeout after the retries, `billing.errors.Busy`;
     a lost connection 2006/2013, a timeout, any non-contract error): the outcome is unknown ->
     `to_reconcile`, never refunded.
   `to_reconcile` writes a `ChargeToReconcile` row (staff settle it in the back office) and logs
   an error; it is never silent.
"""
import dataclasses
import logging
from decimal import Decimal, InvalidOperation

from billing import services as billing_services
from billing.errors import BillingError, Busy
from portal.gateway import get_gateway
from portal.models import CardPaymentMethod, ChargeToReconcile

log = logging.getLogger("billing.portal.payments")

MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000.00")
IDEMPOTENCY_MISMATCH = 45022

POSTED, REPLAYED, DECLINED, REFUSED, REFUNDED, TO_RECONCILE = (
    "posted", "replayed", "declined", "refused", "refunded", "to_reconcile")


@dataclasses.dataclass(frozen=True)
class CardPaymentResult:
    """What happened to one card payment. `status`: posted | replayed | declined | refused |
    refunded | to_reconcile; `message`: for the customer; `payment_id`/`receipt_no` when posted
    or replayed; `error`: the database's refusal (refused/refunded); `charged`: the card was
    charged and the charge stands (posted, replayed, to_reconcile)."""
    status: str
    message: str
    payment_id: int | None = None
    receipt_no: str | None = None
    error: BillingError | None = None
    charged: bool = False
    field: str | None = None     # declined: the card field it is about (number, expiry, cvc)
    conflict: bool = False       # declined: the gateway knows the reference with another
                                 # account or amount (the form was used before)


def check_amount(amount):
    """The contract's limits on a payment amount; True when `amount` (a Decimal) is within."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return False
    try:
        return (MIN_AMOUNT <= amount <= MAX_AMOUNT
                and amount == amount.quantize(Decimal("0.01")))
    except InvalidOperation:
        return False


def _to_reconcile(*, account_id, amount, reference, transaction_id, actor, reason, detail):
    row = ChargeToReconcile.objects.create(
        account_id=account_id, amount=amount, reference=reference,
        transaction_id=transaction_id or "", actor=actor, reason=str(reason)[:100],
        detail=str(detail)[:2000])
    log.error("card charge to reconcile id=%s account=%s amount=%s ref=%s reason=%s: %s",
              row.pk, account_id, amount, reference, reason, detail)
    return CardPaymentResult(
        TO_RECONCILE, "Your card was charged, but we could not confirm the payment yet. Do not "
        "pay again: our staff will check it and the payment will appear in your account, or the "
        "charge will be refunded.", charged=True)


def pay_by_card(*, account_id, account_open, amount, reference, card, actor, gateway=None):
    """Charges `card` and posts the payment on `account_id`; see the module text.
    `account_open`: the account's status is 'open' (read by the caller for this customer)."""
    if not check_amount(amount):
        return CardPaymentResult(REFUSED, "The amount must be above zero, at most "
                                          "1,000,000.00, with at most two decimals.")
    if not account_open:
        return CardPaymentResult(REFUSED, "This account is closed and cannot be paid online.")
    gateway = gateway or get_gateway()
    try:
        charge = gateway.charge(amount, reference, card, account=str(account_id))
    except Exception as exc:  # noqa: BLE001 - no answer: the card may have been charged
        return _to_reconcile(account_id=account_id, amount=amount, reference=reference,
                             transaction_id=None, actor=actor, reason="GATEWAY_NO_ANSWER",
                             detail=repr(exc))
    if not charge.approved:
        return CardPaymentResult(DECLINED, f"Payment declined: {charge.decline_reason} "
                                           "Nothing was charged.", field=charge.field,
                                 conflict=charge.conflict)
    common = dict(account_id=account_id, amount=amount, reference=reference,
                  transaction_id=charge.transaction_id, actor=actor)
    try:
        posted = billing_services.post_payment(
            account_id=account_id, amount=amount, method="online", paid_at=None,
            idempotency_key=reference, actor=actor)
    except Busy as busy:          # 1213/1205 after services' attempts: staff settle it
        return _to_reconcile(**common, reason=busy.errno, detail=busy.server_message)
    except BillingError as error:
        if error.errno == IDEMPOTENCY_MISMATCH:
            # a payment holds this reference already: its money may be this charge's
            return _to_reconcile(**common, reason=error.code, detail=error.message)
        try:
            gateway.refund(reference)
        except Exception as exc:  # noqa: BLE001 - the refund is not certain: staff settle it
            return _to_reconcile(**common, reason="REFUND_FAILED",
                                 detail=f"{error.code}: {error.message}; refund: {exc!r}")
        log.info("card charge ref=%s refunded: %s %s", reference, error.code, error.message)
        return CardPaymentResult(REFUNDED, f"{error.user_message} The charge on your card was "
                                           "refunded.", error=error)
    except Exception as exc:  # noqa: BLE001 - deadlock after retries, lost connection, timeout
        errno = exc.args[0] if getattr(exc, "args", None) else None
        return _to_reconcile(**common, reason=errno if isinstance(errno, int) else
                             type(exc).__name__, detail=str(exc))
    if charge.brand and charge.last4:
        try:   # the receipt's "Visa ending 4242"; the payment stands whatever happens here
            CardPaymentMethod.objects.get_or_create(
                payment_id=posted["payment_id"],
                defaults={"brand": charge.brand, "last4": charge.last4,
                          "transaction_id": charge.transaction_id or ""})
        except Exception:  # noqa: BLE001
            log.exception("card method of payment %s not recorded", posted["payment_id"])
    if posted["replayed"]:
        return CardPaymentResult(REPLAYED, "This payment was recorded already (the form was sent "
                                           "more than once); it was charged once.",
                                 payment_id=posted["payment_id"],
                                 receipt_no=posted.get("receipt_no"), charged=True)
    return CardPaymentResult(POSTED, f"Thank you: payment received, receipt "
                                     f"{posted['receipt_no']}.", payment_id=posted["payment_id"],
                             receipt_no=posted["receipt_no"], charged=True)
