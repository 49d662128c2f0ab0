"""The payment gateway step of the portal, behind one small interface.

A real card processor replaces `SimulatedGateway` by another `PaymentGateway` (settings
`PORTAL_PAYMENT_GATEWAY`, a dotted path). Card details pass through `charge()` to the gateway
and nowhere else: they are never stored, logged or sent to the billing database.

`reference` is the payment form's idempotency key: a gateway must treat a second charge with
the same reference, account and amount as the same charge (real processors take such a key
too), so a retried request is charged once, like post_payment posts it once. A reference is
bound to the account and amount of its first charge: the same reference with another account or
amount is an error (`GatewayResult.conflict`), never the earlier approval (real processors
answer a reused idempotency key with other parameters the same way).

Who calls it: only `portal.payments.pay_by_card` (the card-payment saga).
"""
import dataclasses
import datetime
import logging
import threading
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("billing.portal.gateway")


@dataclasses.dataclass(frozen=True)
class Card:
    number: str
    expiry: str          # MM/YY
    cvc: str
    holder: str

    def __repr__(self):  # never print card data, even by accident
        return f"Card(****{self.number[-4:]})"

    __str__ = __repr__


@dataclasses.dataclass(frozen=True)
class GatewayResult:
    approved: bool
    transaction_id: str | None = None
    decline_reason: str | None = None
    conflict: bool = False       # the reference was used before with another account or amount
    brand: str | None = None     # e.g. "Visa" (approved charges)
    last4: str | None = None     # the card number's last four digits (approved charges)
    field: str | None = None     # the card field a refusal is about: number, expiry or cvc


def luhn_ok(number: str) -> bool:
    """The Luhn check digit of a card number (ASCII digits 0-9 only) is right."""
    if not (number.isascii() and number.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The card's brand from its leading digits (the common networks), else "Card"."""
    if number[:2] in ("34", "37"):
        return "American Express"
    if number[:1] == "4":
        return "Visa"
    if number[:2] in ("51", "52", "53", "54", "55") or "2221" <= number[:4] <= "2720":
        return "Mastercard"
    if number[:4] == "6011" or number[:2] == "65":
        return "Discover"
    return "Card"


def check_card(card: Card, today: datetime.date) -> tuple[str, str] | None:
    """What a card processor refuses before charging: a wrong check digit, an expiry month that
    is over, a security code of the wrong length (4 digits for American Express, else 3).
    Returns (field, plain sentence) or None when the card passes."""
    if not luhn_ok(card.number) or not 12 <= len(card.number) <= 19:
        return "number", "The card number is not valid: check the digits."
    try:
        if not card.expiry.isascii():
            raise ValueError(card.expiry)
        month, year = card.expiry.split("/")
        month, year = int(month), 2000 + int(year)
    except ValueError:
        return "expiry", "Enter the expiry as MM/YY, e.g. 09/28."
    if not 1 <= month <= 12:
        return "expiry", "Enter the expiry as MM/YY, e.g. 09/28."
    if (year, month) < (today.year, today.month):
        return "expiry", "This card has expired: use another card."
    want = 4 if card_brand(card.number) == "American Express" else 3
    if not (card.cvc.isascii() and card.cvc.isdigit() and len(card.cvc) == want):
        return "cvc", f"Enter the {want}-digit security code of the card."
    return None


class PaymentGateway:
    """The interface: charge once per reference (bound to one account and amount); refund a
    charge (by its reference) when the billing database then certainly posted nothing."""

    def charge(self, amount: Decimal, reference: str, card: Card, *,
               account: str) -> GatewayResult:
        raise NotImplementedError

    def refund(self, reference: str) -> None:
        raise NotImplementedError


# Test card numbers that the simulated gateway declines (the usual processor test numbers).
DECLINE_CARDS = {
    "4000000000000002": "The card was declined.",
    "4000000000009995": "The card has insufficient funds.",
    "4000000000000069": "The card has expired.",
}


class SimulatedGateway(PaymentGateway):
    """Validates the card like a processor (check_card: Luhn, expiry, security code), then
    approves every charge unless the card number is one of DECLINE_CARDS; an approval carries
    the brand and the last four digits. Remembers each
    reference's account, amount and result in memory (per process), so a repeated reference is
    not charged twice, and a repeated reference with another account or amount is refused."""

    def __init__(self):
        self._lock = threading.Lock()
        self._results = {}
        self.refunded = set()

    def charge(self, amount, reference, card, *, account):
        amount = Decimal(amount)
        with self._lock:
            if reference in self._results:
                first_account, first_amount, result = self._results[reference]
                if (first_account, first_amount) != (str(account), amount):
                    return GatewayResult(approved=False, conflict=True, decline_reason=(
                        "This payment reference was used before for another account or "
                        "amount."))
                return result
            invalid = check_card(card, self.today())
            reason = DECLINE_CARDS.get(card.number)
            if invalid:
                return GatewayResult(approved=False, field=invalid[0], decline_reason=invalid[1])
            if reason:
                result = GatewayResult(approved=False, decline_reason=reason, field="number")
            else:
                result = GatewayResult(approved=True, transaction_id=f"SIM-{reference[:12]}",
                                       brand=card_brand(card.number), last4=card.number[-4:])
            self._results[reference] = (str(account), amount, result)
        log.info("simulated charge ref=%s amount=%s card=%r: %s", reference, amount, card,
                 "approved" if result.approved else "declined")
        return result

    @staticmethod
    def today():
        from django.utils import timezone
        return timezone.now().date()     # USE_TZ is off: the server's local date

    def refund(self, reference):
        with self._lock:
            self.refunded.add(reference)
        log.info("simulated refund ref=%s", reference)


_gateway = None


def get_gateway() -> PaymentGateway:
    global _gateway
    if _gateway is None:
        path = getattr(settings, "PORTAL_PAYMENT_GATEWAY", "portal.gateway.SimulatedGateway")
        _gateway = import_string(path)()
    return _gateway
