"""{% review_queue_rows %} (billing/templatetags/review_queue.py) writes exactly what the review
queue's template loop writes (issue 24 §4: the loop was most of the page's CPU; dates and kWh
through the one formatter, billing.formatting): compared on
readings with markup in every text, no account, no history, previous readings in review and
rejected, none at all, a reading the user entered (a clerk: no approve button; a billing admin:
the logged approval), a reading passed over by a later accepted one and one that is not the
meter's latest (no reject form), a later page (its number sent back with a decision) and a reader without
the desk role (no decision column)."""
import datetime
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest
from django.template import Context, Template
from django.urls import reverse

from billing.views.common import path_for

# the page's rows as a template loop writes them (dates and kWh through the one formatter)
LOOP = """{% load money %}  {% for r in readings %}
    <tr id="reading-{{ r.reading_id }}">
      <td data-label="Date"><a href="{% url 'billing:reading_detail' r.reading_id %}" class="nowrap">{{ r.read_on|day }}</a>{% if r.later_accepted_on %}<span class="help passed-over">A later reading ({{ r.later_accepted_on|day }}) is accepted: a bill to that day or later passes this one over</span>{% endif %}</td>
      <td data-label="Meter, account">{{ r.serial_no }}{% if r.account_no %}<span class="help"><a href="{% url 'billing:account_detail' r.account_id %}">{{ r.account_no }}</a></span>{% endif %}</td>
      <td class="num" data-label="Value">{{ r.value|kwh:False }}</td><td class="num" data-label="kWh">{{ r.consumption_kwh|kwh:False }}</td>
      <td class="usual" data-label="Usual use">{% if r.daily_kwh is not None %}{{ r.daily_kwh|kwh }} a day<span class="help">{{ r.history_kwh|kwh }} over {{ r.history_days }} days</span>{% else %}<span class="help">no history</span>{% endif %}</td>
      <td class="previous" data-label="Previous readings">{% if r.previous %}<ul class="plain">{% for p in r.previous %}<li class="nowrap">{{ p.read_on|day }}: {{ p.value|kwh:False }}{% if p.status != "accepted" %} <span class="help">({{ p.status }})</span>{% endif %}</li>{% endfor %}</ul>{% else %}—{% endif %}</td>
      <td data-label="Recorded">{{ r.source|source_label }}<span class="help">by {{ r.recorded_by }}</span></td>
      {% if can.desk %}<td class="decision">
        {% if r.own and not can_approve_own %}<p class="help own-reading">You entered this reading: another clerk or a billing admin approves it.</p>
        {% else %}<form method="post" action="{% url 'billing:reading_approve' r.reading_id %}" class="inline">{% csrf_token %}{% if page.number > 1 %}<input type="hidden" name="page" value="{{ page.number }}">{% endif %}
          <button type="submit" class="button">Approve<span class="visually-hidden"> reading {{ r.reading_id }}</span></button>{% if r.own %} <span class="help">(you entered it: the approval is logged)</span>{% endif %}</form>{% endif %}
        {% if not r.latest %}<p class="help not-latest">A later reading follows: only a meter's latest reading can be rejected.</p>
        {% else %}<form method="post" action="{% url 'billing:reading_reject' r.reading_id %}" class="inline">{% csrf_token %}{% if page.number > 1 %}<input type="hidden" name="page" value="{{ page.number }}">{% endif %}
          <label for="reason-{{ r.reading_id }}" class="reason-label">Reason for rejecting<span class="visually-hidden"> reading {{ r.reading_id }}</span></label>
          <textarea id="reason-{{ r.reading_id }}" name="reason" required maxlength="500" rows="2" aria-describedby="reason-help-{{ r.reading_id }}"></textarea>
          <span id="reason-help-{{ r.reading_id }}" class="help">e.g. “dial misread: 5,000 is 500”</span>
          <button type="submit" class="button secondary">Reject</button></form>{% endif %}
      </td>{% endif %}
    </tr>
  {% endfor %}
"""


def normalised(html):
    return " ".join(html.replace(">", "> ").replace("<", " <").split())


def reading(rid, **kw):
    d = datetime.date
    r = NS(reading_id=rid, meter_id=rid, serial_no="SN-<b>1</b>", read_on=d(2026, 2, 28),
           value=Decimal("5100.00"), consumption_kwh=Decimal("5000.0000"), source="field",
           recorded_by="staff:o'neil & <x>", account_id=7, account_no="A0000007",
           history_days=59, history_kwh=Decimal("100.5050"), daily_kwh=Decimal("1.70"),
           previous=[NS(read_on=d(2026, 1, 31), value=Decimal("100.00"), status="accepted"),
                     NS(read_on=d(2026, 1, 15), value=Decimal("60.00"), status="review"),
                     NS(read_on=d(2026, 1, 1), value=Decimal("0.00"), status="rejected")],
           own=False, later_accepted_on=None, latest=True)
    r.__dict__.update(kw)
    r.path = path_for("billing:reading_detail")(rid)
    r.account_path = r.account_id and path_for("billing:account_detail")(r.account_id)
    r.approve_path = path_for("billing:reading_approve")(rid)
    r.reject_path = path_for("billing:reading_reject")(rid)
    return r


READINGS = [reading(1), reading(2, account_id=None, account_no=None, daily_kwh=None,
                                history_kwh=None, history_days=None, previous=[]),
            reading(3, own=True),
            reading(4, later_accepted_on=datetime.date(2026, 3, 31), latest=False),
            reading(5, latest=False)]


@pytest.mark.parametrize("desk, approve_own, page", [(True, False, 1), (True, True, 3),
                                                     (False, False, 1)])
def test_the_tag_writes_what_the_loop_wrote(desk, approve_own, page):
    context = {"readings": READINGS, "can": {"desk": desk}, "can_approve_own": approve_own,
               "page": NS(number=page), "csrf_token": "tok<en>"}
    old = Template(LOOP).render(Context(context))
    new = Template("{% load review_queue %}{% review_queue_rows readings %}").render(
        Context(context))
    assert normalised(new) == normalised(old)
    assert "SN-&lt;b&gt;1&lt;/b&gt;" in new and "<b>" not in new
    assert ('name="csrfmiddlewaretoken" value="tok&lt;en&gt;"' in new) == desk
    assert ('<input type="hidden" name="page" value="3">' in new) == (page == 3)
    assert (reverse("billing:reading_approve", args=[1]) in new) == desk
