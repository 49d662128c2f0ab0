"""Why a bill differs from the previous one, in words (issue 20 §2): the customer's bill page
(web, print, PDF) and the staff bill page show the same sentence, last year's same period and a
usage chart of the last 13 periods.

Every amount comes from v_bill_explanation (db/views/v_bill_explanation.sql), each with its sign
apart (change_sign / change_abs, usage_sign / usage_abs, ...): Python only chooses the words
(more, less, nothing for a zero effect) and writes the amounts through the one formatter. No
arithmetic on money happens here.

- No previous bill (a first bill): nothing is said.
- A bill with a previous bill but no stored effects (issued before the comparison was computed
  at issue, migration 0070): "not available".
- Otherwise: "This bill is €12.30 more than last month's: €10.10 because you used 3.2 kWh a day
  more, €2.20 from prices and days (the new tariff from 15 May)." The tariff is named when a
  version came into force since the previous bill began. A part whose effect is zero is left
  out; a part that goes the other way than the whole says so ("€2.00 less from prices and days").
"""
import datetime
from dataclasses import dataclass, field

from billing import formatting, selectors

MORE, LESS = "more", "less"


def _direction(sign):
    return MORE if sign > 0 else LESS


def _month_end(d):
    return (d.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def _previous_name(e):
    """"last month's" when the previous bill is the whole calendar month just before this one;
    else "the previous bill's (1 Aug 2026 – 20 Aug 2026)"."""
    ps, pe = e.prev_period_start, e.prev_period_end
    if (ps and pe and pe + datetime.timedelta(days=1) == e.period_start and ps.day == 1
            and pe == _month_end(ps)):
        return "last month's"
    return f"the previous bill's ({formatting.day(ps)} – {formatting.day(pe)})"


def sentence(e):
    """The sentence for one v_bill_explanation row; None when nothing is to be said (no row, or
    a first bill)."""
    if e is None or e.prev_bill_id is None:
        return None
    if not e.comparison_available:
        return ("A comparison with the previous bill is not available for this bill: it was "
                "issued before comparisons were kept.")
    previous = _previous_name(e)
    if e.change_sign == 0:
        head = f"This bill is the same as {previous}"
    else:
        head = (f"This bill is {formatting.money(e.change_abs)} {_direction(e.change_sign)} "
                f"than {previous}")
    parts = []
    if e.usage_sign:
        said = "" if e.usage_sign == e.change_sign else f" {_direction(e.usage_sign)}"
        if e.kwh_per_day_sign and e.kwh_per_day_sign == e.usage_sign:
            why = (f"because you used {formatting.kwh(e.kwh_per_day_change)} a day "
                   f"{_direction(e.kwh_per_day_sign)}")
        else:
            why = f"because you used a little {_direction(e.usage_sign)}"
        parts.append(f"{formatting.money(e.usage_abs)}{said} {why}")
    if e.other_sign:
        said = "" if e.other_sign == e.change_sign else f" {_direction(e.other_sign)}"
        tariff = (f" (the new tariff from {formatting.day(e.new_price_from)})"
                  if e.new_price_from else "")
        parts.append(f"{formatting.money(e.other_abs)}{said} from prices and days{tariff}")
    return head + (": " + ", ".join(parts) if parts else "") + "."


def last_year(e):
    """Last year's same period in words; None when there is nothing to compare with."""
    if e is None or e.prev_bill_id is None:
        return None
    if e.last_year_bill_id is None:
        return "No bill for the same period last year."
    return (f"Same period last year ({formatting.day(e.last_year_period_start)} – "
            f"{formatting.day(e.last_year_period_end)}): "
            f"{formatting.money(e.last_year_total)} for "
            f"{formatting.kwh(e.last_year_consumption_kwh)} "
            f"({formatting.kwh(e.last_year_kwh_per_day)} a day; this bill "
            f"{formatting.kwh(e.kwh_per_day)} a day).")


@dataclass
class Why:
    sentence: str = None
    last_year: str = None
    last_year_bill_id: int = None
    periods: list = field(default_factory=list)     # v_bill_usage_history rows, oldest first
    compared: bool = False      # the sentence compares two bills' totals as issued (the rules)

    def __bool__(self):
        return bool(self.sentence or self.last_year or len(self.periods) > 1)


def why(*, bill_id):
    """Everything the "why this bill differs" box shows for one bill."""
    e = selectors.bill_explanation(bill_id=bill_id)
    return Why(sentence=sentence(e), last_year=last_year(e),
               last_year_bill_id=e.last_year_bill_id if e else None,
               periods=selectors.bill_usage_history(bill_id=bill_id),
               compared=bool(e and e.prev_bill_id is not None and e.comparison_available))
