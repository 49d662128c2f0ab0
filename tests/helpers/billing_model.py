"""An independent reference model of billing-rules.md for one account's bill, in exact
Fraction arithmetic, for the differential tests. It shares nothing with the SQL.

    bill = model_bill(period_start, period_end, issue_date, due_days, opened_on,
                      consumption, versions, discounts)
    versions: [Version(effective_from, fixed, tax_pct, early_pct, early_days, blocks)],
              blocks [(up_to or None, rate)]
    discounts: [pct, ...] valid on the period end
Returns a dict with 'lines' [(kind, quantity_kwh or None, amount)], the totals and R.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor


def F(x):
    return Fraction(str(x)) if not isinstance(x, Fraction) else x


def round_half_away(x, places):
    """ROUND(x, places), half away from zero, exactly; returns Decimal."""
    x = F(x)
    scaled = x * 10 ** places
    n = floor(abs(scaled) + Fraction(1, 2))
    if scaled < 0:
        n = -n
    return Decimal(n).scaleb(-places)


@dataclass
class Version:
    effective_from: date
    fixed: str = "0"
    tax_pct: str = "0"
    early_pct: str = "0"
    early_days: int = 0
    blocks: list = field(default_factory=lambda: [(None, "0.10")])
    late_pct: str = "0"


def days(a, b):
    return (b - a).days + 1


def model_step(prev, cur, dial_digits, multiplier):
    """The consumption between two register values of one meter (rollover and multiplier),
    None when backwards and not a rollover."""
    cap = 10 ** dial_digits
    prev, cur = F(prev), F(cur)
    if cur >= prev:
        return (cur - prev) * F(multiplier)
    if cap - prev + cur <= Fraction(cap, 10):
        return (cap - prev + cur) * F(multiplier)
    return None


def model_bill(period_start, period_end, issue_date, due_days, opened_on, consumption,
               versions, discounts=(), closed_on=None):
    """One bill; closed_on: be = min(period_end, closed_on) (a final bill is a short period:
    thresholds and fixed charge prorated by d_i / P)."""
    P = days(period_start, period_end)
    bs = max(period_start, opened_on)
    be = period_end if closed_on is None else min(period_end, closed_on)
    D = days(bs, be)
    C = F(consumption)
    vs = sorted(versions, key=lambda v: v.effective_from)
    spans = []
    for i, v in enumerate(vs):
        to = vs[i + 1].effective_from - timedelta(days=1) if i + 1 < len(vs) else date(9999, 12, 31)
        if v.effective_from <= be and to >= bs:
            spans.append((max(bs, v.effective_from), min(be, to), v))
    if not spans or spans[0][0] != bs:
        return None  # NO_TARIFF
    lines = []
    c_rounded = [F(round_half_away(C * days(s, e) / D, 4)) for s, e, _ in spans]
    for i, (s, e, v) in enumerate(spans):
        d = days(s, e)
        c = C - sum(c_rounded[:-1]) if i == len(spans) - 1 else c_rounded[i]
        lower = Fraction(0)
        for up, rate in v.blocks:
            L = F(round_half_away(lower * d / P, 4))
            U = None if up is None else F(round_half_away(F(up) * d / P, 4))
            q = max(Fraction(0), (c if U is None else min(c, U)) - L)
            if q > 0:
                lines.append(("energy", Decimal(q.numerator) / Decimal(q.denominator),
                              round_half_away(q * F(rate), 2)))
            lower = F(up) if up is not None else lower
        lines.append(("fixed", None, round_half_away(F(v.fixed) * d / P, 2)))
    E = sum(F(a) for k, _, a in lines if k == "energy")
    Fx = sum(F(a) for k, _, a in lines if k == "fixed")
    disc = []
    for pct in discounts:
        disc.append(-round_half_away(E * F(pct) / 100, 2))
        lines.append(("discount", None, disc[-1]))
    v_be = spans[-1][2]
    T = round_half_away((E + Fx + sum(F(x) for x in disc)) * F(v_be.tax_pct) / 100, 2)
    lines.append(("tax", None, T))
    R = round_half_away(E * F(v_be.early_pct) / 100, 2) if F(v_be.early_pct) > 0 else Decimal("0.00")
    total = sum(a for _, _, a in lines)
    return {
        "lines": lines,
        "energy": sum((a for k, _, a in lines if k == "energy"), Decimal("0.00")),
        "fixed": sum((a for k, _, a in lines if k == "fixed"), Decimal("0.00")),
        "discount": sum(disc, Decimal("0.00")),
        "tax": T,
        "total": total,
        "rebate_amount": R,
        "rebate_date": issue_date + timedelta(days=v_be.early_days) if F(v_be.early_pct) > 0 else None,
        "due_date": issue_date + timedelta(days=due_days),
        "days_billed": D,
    }


class AccountModel:
    """The money of one account under billing-rules.md "Bill totals" (credit at issue), "Payments",
    "Corrections" (cancel_bill) and "Refunds", in exact Decimal cents; shares nothing with the SQL.

    Bills and payments are dicts, in creation order (the SQL's bill_id / payment_id order)."""

    def __init__(self):
        self.bills, self.payments, self.ledger = [], [], []

    # helpers
    def credit(self, p):
        return p["amount"] - p["allocated"] - p["refunded"] if not p.get("reversed") else Decimal("0.00")

    def _allocate(self, p, on):
        remaining = self.credit(p)
        open_bills = sorted((b for b in self.bills if not b["cancelled"] and b["paid"] < b["total"]),
                            key=lambda b: (b["due_date"], b["seq"]))
        for b in open_bills:
            if remaining <= 0:
                break
            needed = b["total"] - b["paid"]
            rebate = (b["rebate_date"] is not None and on <= b["rebate_date"] and not b["granted"]
                      and b["R"] > 0 and b["total"] - b["paid"] > b["R"])
            if rebate:
                needed -= b["R"]
            alloc = min(remaining, needed)
            if alloc <= 0:
                continue
            b["paid"] += alloc
            b["alloc"][p["seq"]] = b["alloc"].get(p["seq"], Decimal("0.00")) + alloc
            p["allocated"] += alloc
            remaining -= alloc
            if rebate and alloc == needed:
                b["total"] -= b["R"]
                b["granted"] = True
                self.ledger.append(-b["R"])

    def _allocate_all(self, on):
        for p in self.payments:
            if self.credit(p) > 0:
                self._allocate(p, on)

    # operations
    def issue(self, bill, issue_date):
        """bill: model_bill(...)'s dict."""
        b = dict(seq=len(self.bills), total=bill["total"], paid=Decimal("0.00"), R=bill["rebate_amount"],
                 rebate_date=bill["rebate_date"], due_date=bill["due_date"], granted=False,
                 cancelled=False, alloc={})
        self.bills.append(b)
        self.ledger.append(b["total"])
        self._allocate_all(issue_date)
        return b

    def pay(self, amount, on):
        p = dict(seq=len(self.payments), amount=Decimal(amount), allocated=Decimal("0.00"),
                 refunded=Decimal("0.00"))
        self.payments.append(p)
        self.ledger.append(-p["amount"])
        self._allocate(p, on)
        return p

    def cancel_latest(self, on):
        b = [x for x in self.bills if not x["cancelled"]][-1]
        for pseq, net in b["alloc"].items():
            if net > 0:
                self.payments[pseq]["allocated"] -= net
        b["alloc"] = {}
        b["paid"] = Decimal("0.00")
        b["cancelled"] = True
        self.ledger.append(-b["total"])
        self._allocate_all(on)
        return b

    def total_credit(self):
        return sum((self.credit(p) for p in self.payments), Decimal("0.00"))

    def refund(self, amount):
        left = Decimal(amount)
        for p in self.payments:
            take = min(left, self.credit(p))
            if take > 0:
                p["refunded"] += take
                left -= take
        assert left == 0
        self.ledger.append(Decimal(amount))

    def balance(self):
        return sum(self.ledger, Decimal("0.00"))
