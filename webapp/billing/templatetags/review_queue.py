"""{% load review_queue %}{% review_queue_rows readings %}: the rows of the reading review queue
(billing/review_queue.html), written in Python: the same markup a template loop writes, at a
fraction of its cost (25 rows of four links, two forms with their CSRF fields, the usual use and
three previous readings each were most of the page's CPU; issue 24 §4). As for the staff
search's rows (search_results.py), tests/web/test_review_queue_rows.py compares the two.

Each reading needs the fields of v_staff_review_queue (`.later_accepted_on`: a note that bills
pass it over; `.latest`: the reject form, else why there is none), `.previous` (points with
read_on, value, status), `.own` (the user entered it), and the paths `.path`, `.account_path`, `.approve_path`,
`.reject_path`, set by billing.views.readings.ReviewQueueView. The tag reads from the page's
context `can.desk` (the decision column), `can_approve_own`, `page.number` (sent back with a
decision, so that the reviewer stays on their page) and `csrf_token`."""
from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from billing import formatting

register = template.Library()


def _text(value):
    """As {{ value }} writes it: localized, escaped."""
    return conditional_escape(localize(value))


def _day(value):
    """As {{ value|day }} writes a date: the one formatter's style (billing.formatting)."""
    return conditional_escape(formatting.day(value))


def _kwh(value, unit=True):
    """As {{ value|kwh }} writes an amount of energy."""
    return conditional_escape(formatting.kwh(value, unit))


def _usual(r):
    if r.daily_kwh is None:
        return '<span class="help">no history</span>'
    return (f'{_kwh(r.daily_kwh)} a day<span class="help">'
            f'{_kwh(r.history_kwh)} over {_text(r.history_days)} days</span>')


def _previous(r):
    if not r.previous:
        return "—"
    items = "".join(
        f'<li class="nowrap">{_day(p.read_on)}: {_kwh(p.value, False)}'
        + (f' <span class="help">({_text(p.status)})</span>' if p.status != "accepted" else "")
        + "</li>" for p in r.previous)
    return f'<ul class="plain">{items}</ul>'


def _passed_over(r):
    if r.later_accepted_on is None:
        return ""
    return (f'<span class="help passed-over">A later reading ({_day(r.later_accepted_on)}) is '
            f'accepted: a bill to that day or later passes this one over</span>')


def _decision(r, *, can_approve_own, hidden):
    rid = _text(r.reading_id)
    if r.own and not can_approve_own:
        approve = ('<p class="help own-reading">You entered this reading: another clerk or a '
                   'billing admin approves it.</p>\n        ')
    else:
        logged = (' <span class="help">(you entered it: the approval is logged)</span>'
                  if r.own else "")
        approve = (f'<form method="post" action="{_text(r.approve_path)}" class="inline">'
                   f'{hidden}\n          <button type="submit" class="button">Approve<span '
                   f'class="visually-hidden"> reading {rid}</span></button>{logged}</form>')
    if not r.latest:
        reject = ('<p class="help not-latest">A later reading follows: only a meter\'s latest '
                  'reading can be rejected.</p>\n')
    else:
        reject = (f'<form method="post" action="{_text(r.reject_path)}" class="inline">'
                  f'{hidden}\n'
                  f'          <label for="reason-{rid}" class="reason-label">Reason for rejecting'
                  f'<span class="visually-hidden"> reading {rid}</span></label>\n'
                  f'          <textarea id="reason-{rid}" name="reason" required maxlength="500" '
                  f'rows="2" aria-describedby="reason-help-{rid}"></textarea>\n'
                  f'          <span id="reason-help-{rid}" class="help">e.g. “dial misread: 5,000 is '
                  f'500”</span>\n'
                  f'          <button type="submit" class="button secondary">Reject</button></form>\n')
    return (f'<td class="decision">\n        {approve}\n'
            f'        {reject}'
            f'      </td>')


def _row(r, *, desk, can_approve_own, hidden):
    account = (f'<span class="help"><a href="{_text(r.account_path)}">{_text(r.account_no)}</a>'
               f'</span>' if r.account_no else "")
    decision = _decision(r, can_approve_own=can_approve_own, hidden=hidden) if desk else ""
    return (f'<tr id="reading-{_text(r.reading_id)}">\n'
            f'      <td data-label="Date"><a href="{_text(r.path)}" class="nowrap">'
            f'{_day(r.read_on)}</a>{_passed_over(r)}</td>\n'
            f'      <td data-label="Meter, account">{_text(r.serial_no)}{account}</td>\n'
            f'      <td class="num" data-label="Value">{_kwh(r.value, False)}</td>'
            f'<td class="num" data-label="kWh">{_kwh(r.consumption_kwh, False)}</td>\n'
            f'      <td class="usual" data-label="Usual use">{_usual(r)}</td>\n'
            f'      <td class="previous" data-label="Previous readings">{_previous(r)}</td>\n'
            f'      <td data-label="Recorded">{_text(formatting.source_label(r.source))}'
            f'<span class="help">by '
            f'{_text(r.recorded_by)}</span></td>\n'
            f'      {decision}\n'
            f'    </tr>')


@register.simple_tag(takes_context=True)
def review_queue_rows(context, readings):
    desk = bool((context.get("can") or {}).get("desk"))       # billing.roles.permissions
    token = context.get("csrf_token")
    hidden = ""
    if token and token != "NOTPROVIDED":     # as {% csrf_token %} writes it
        hidden = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    page = context.get("page")
    if page is not None and page.number > 1:
        hidden += format_html('<input type="hidden" name="page" value="{}">', page.number)
    return mark_safe("\n".join(
        _row(r, desk=desk, can_approve_own=context.get("can_approve_own"), hidden=hidden)
        for r in readings))
