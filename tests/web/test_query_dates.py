"""Days in a page's query string (billing.forms.DayField, day_of): a day outside the database's
range (1900-01-01..2999-12-31) or no day at all is said on the page, which still renders; it was
an HTTP 500 (OverflowError: the day after 9999-12-31) on the day's collections, the drawer close
and the audit trail."""
import datetime

import pytest
from django.urls import reverse

from billing import formatting
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

OUT_OF_RANGE = "Give a day from 1 Jan 1900 to 31 Dec 2999."
FAR = "9999-12-31"


# a day sent that is no day, quoted (DayField)
NOT_A_DAY_SENT = ("\u201c2026-02-30\u201d is not a day: give the day as YYYY-MM-DD, "
                  "e.g. 2026-11-30.")

@pytest.mark.parametrize("name", ["billing:collections_day", "billing:drawer_close"])
@pytest.mark.parametrize("day, says", [(FAR, OUT_OF_RANGE), ("0001-01-01", OUT_OF_RANGE),
                                       ("1899-12-31", OUT_OF_RANGE),
                                       ("2026-02-30", NOT_A_DAY_SENT)])
def test_a_day_that_is_not_one_is_said_and_today_is_shown(staff_client, billing_db, name, day,
                                                          says):
    """The day sent is quoted in the sentence when it is no day: the date box cannot show it."""
    today = formatting.day(datetime.date.today())
    r = staff_client.get(reverse(name), {"day": day})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    page = text(r)
    assert f"Day: {says} Shown: today." in page and today in page
    # the CSV of a day that is not one is not another day's CSV: the page says why
    r = staff_client.get(reverse(name), {"day": day, "format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert says in text(r)


@pytest.mark.parametrize("name", ["billing:collections_day", "billing:drawer_close"])
def test_the_last_and_first_days_of_the_range_are_days(staff_client, billing_db, name):
    for day in ("2999-12-31", "1900-01-01"):
        r = staff_client.get(reverse(name), {"day": day})
        assert r.status_code == 200 and "Shown: today" not in text(r)
        assert formatting.day(datetime.date.fromisoformat(day)) in text(r)
        assert staff_client.get(reverse(name), {"day": day, "format": "csv"})[
            "Content-Type"].startswith("text/csv")


def test_the_audit_trail_says_a_far_day_on_its_field(manager_client, billing_db):
    r = manager_client.get(reverse("billing:audit"), {"date_from": FAR, "date_to": FAR})
    assert r.status_code == 200
    assert r.context["form"].errors == {"date_from": [OUT_OF_RANGE], "date_to": [OUT_OF_RANGE]}
    assert OUT_OF_RANGE in text(r) and r.context["entries"] == []
    # said as an error beside its box (it was plain text; found by a walk of the forms)
    assert f'<span class="field-error-text" id="id_date_from_error" role="alert">{OUT_OF_RANGE}' \
        in r.content.decode()
    r = manager_client.get(reverse("billing:audit"), {"date_to": "2999-12-31"})
    assert r.status_code == 200 and not r.context["form"].errors


def test_a_report_shows_a_far_day_as_a_bad_filter(manager_client, billing_db):
    r = manager_client.get(reverse("billing:report_collections"), {"date_from": FAR,
                                                                   "date_to": FAR})
    assert r.status_code == 200
    assert r.context["form"].errors == {"date_from": [OUT_OF_RANGE], "date_to": [OUT_OF_RANGE]}
    assert OUT_OF_RANGE in text(r)
