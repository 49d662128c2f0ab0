"""{% search_result_rows %} (billing/templatetags/search_results.py) writes exactly what the
search page's template loop wrote, with the balance through the money filter (issue 24 §4: the
loop was half the page's CPU): compared on rows with markup in every text, no accounts, an
account without a balance row, a None balance, a credit, an empty phone and e-mail."""
from decimal import Decimal
from types import SimpleNamespace as NS

from django.template import Context, Template

OLD_LOOP = """{% load money %}{% for c in results %}
      <tr>
        <td><a href="{{ c.path }}">{{ c.full_name }}</a><br><span class="help">{{ c.customer_no }}</span></td>
        <td>{% if c.account_list %}<ul class="plain">{% for a in c.account_list %}
          <li><a href="{{ a.path }}">{{ a.account_no }}</a> · {{ a.service_address }} · <span class="badge badge-{{ a.status }}">{{ a.status }}</span> · balance <span class="num">{% if a.balance %}{{ a.balance.balance|money|default:"—" }}{% endif %}</span></li>{% endfor %}</ul>
          {% else %}<span class="help">no accounts</span>{% endif %}</td>
        <td>{{ c.phone|default:"—" }}<br><span class="help">{{ c.email|default:"" }}</span></td>
      </tr>
    {% endfor %}"""


def normalised(html):
    return " ".join(html.replace(">", "> ").replace("<", " <").split())


def test_the_tag_writes_what_the_loop_wrote():
    acc = [NS(path="/accounts/1/", account_no="A0000001", service_address='1 <b>"Elm"</b> & Co',
              status="open", balance=NS(balance=Decimal("-12.50"))),
           NS(path="/accounts/2/", account_no="A0000002", service_address=None, status="closed",
              balance=None),
           NS(path="/accounts/3/", account_no="A0000003", service_address="x", status="open",
              balance=NS(balance=None))]
    results = [
        NS(path="/customers/1/", full_name="Ann <script>O'Brien</script>", customer_no="C1",
           phone="+1 555", email="a&b@example.org", account_list=acc),
        NS(path="/customers/2/", full_name="Bob", customer_no="C2", phone="", email=None,
           account_list=[]),
        NS(path="/customers/3/", full_name="Cy", customer_no="C3", phone=None, email="",
           account_list=acc[1:2]),
    ]
    old = Template(OLD_LOOP).render(Context({"results": results}))
    new = Template("{% load search_results %}{% search_result_rows results %}").render(
        Context({"results": results}))
    assert normalised(new) == normalised(old)
    assert "&lt;script&gt;" in new and "<script>" not in new
    assert "balance <span class=\"num\">Credit €12.50</span>" in new
