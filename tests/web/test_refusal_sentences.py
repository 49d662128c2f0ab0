"""A refusal of the database reads as one sentence on a staff page, on the field it is about,
shown once (billing.errors.REFUSALS, refusal, add_to_form; billing/_form_errors.html). The
forms showed "<the contract's sentence> <the server's text>": "…amount must be above 0, at most
1000000.00 and have at most two decimals, not -5.0000000000", "Not found. no installed meter
with serial_no NOPE-1" above the form (and "Not saved: Not found." over it), "period_end
2026-11-30 is not before today", "effective_from is out of range (1900-01-01..2999-12-31)",
"dial_digits must be 1..9"."""
import re
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string

from billing import errors

DB = Path(__file__).resolve().parents[2] / "db"
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")        # a parameter's name as the server writes it


@pytest.mark.parametrize("errno, text, field, sentence", [
    (45020, "amount must be above 0, at most 1000000.00 and have at most two decimals, not "
            "-5.0000000000", "amount",
     "Enter an amount above zero and at most 1,000,000.00, with at most two decimals."),
    (45001, "no installed meter with serial_no NOPE-1", "serial_no",
     "No meter with serial number NOPE-1 is installed on an account."),
    (45040, "the period is not over: period_end 2026-11-30 is not before today 2026-11-30",
     "period_end", "The period is not over yet: its last day must be before today (30 Nov 2026)."),
    (45002, "effective_from is out of range (1900-01-01..2999-12-31)", "effective_from",
     "Give a day from 1 Jan 1900 to 31 Dec 2999."),
    (45002, "dial_digits must be 1..9", "dial_digits",
     "The number of dial digits must be from 1 to 9."),
    (45002, "new_dial_digits must be 1..9", "new_dial_digits",
     "The number of dial digits must be from 1 to 9."),
    (45010, "value 150.00 is below the latest reading 190.00 of meter SN-1, not a rollover",
     "value", "The reading, 150, is below the meter's latest reading, 190, and is not a rollover."),
    (45011, "value 100000.00 is at or over the capacity 100000 of meter SN-1", "value",
     "The reading must be below 100,000, the dial capacity of the meter."),
    (45002, "as_of 2099-01-01 is after today 2026-11-30", "as_of",
     "The day cannot be after today (30 Nov 2026)."),
    (45002, "valid_from 2026-12-01 is after the account was closed (2026-07-20)", "valid_from",
     "The discount's first day cannot be after the account was closed (20 Jul 2026)."),
    (45024, "refund 6.0000000000 is above the unallocated credit 5.97 of account 3", "amount",
     "That is more than the credit on the account (€5.97): pay back at most the credit."),
    (45050, "bill 5 is not the latest bill of its account: cancel bill 2026-000010 first", None,
     "Bill 2026-000010, a later bill of this account, is not cancelled: cancel it first."),
    (45031, "block 2 up_to_kwh is not above the previous block's", None,
     "Block 2: the limit must be above the previous block's."),
])
def test_the_sentence_and_the_field_of_a_refusal(errno, text, field, sentence):
    error = errors.error_for(errno, text)
    assert errors.refusal(error) == (field, sentence)
    assert (error.sentence, error.refusal_field) == (sentence, field)


def test_a_text_no_rule_knows_is_written_plainly():
    """Parameters in words, days as days, the server's trailing zeros gone, a full stop."""
    error = errors.error_for(45002, "paid_at 2026-12-01 is in the future, not 12.5000000000")
    assert errors.refusal(error) == (None, "Paid at 1 Dec 2026 is in the future, not 12.5.")
    error = errors.error_for(45002, "closed_on 2026-01-02 is odd")
    assert errors.refusal(error) == ("closed_on", "The last day of service 2 Jan 2026 is odd.")


def test_busy_and_an_empty_text():
    assert errors.refusal(errors.error_for(1205, "Lock wait timeout exceeded")) == (
        None, f"{errors.BUSY[1]} {errors.BUSY_DETAIL}")
    assert errors.refusal(errors.error_for(45003, "")) == (
        None, "This conflicts with something that exists already.")


def fixed_messages():
    """Every message of a _fail call written as one literal in db/ (those built with CONCAT
    are covered by the rules' tests above and the pages' tests)."""
    out = []
    for path in sorted(DB.glob("*/*.sql")):
        for errno, text in re.findall(r"_fail\((\d+), '((?:[^']|'')*)'\)", path.read_text()):
            out.append(pytest.param(int(errno), text.replace("''", "'"),
                                    id=f"{path.stem}:{text[:40]}"))
    return out


@pytest.mark.parametrize("errno, text", fixed_messages())
def test_every_fixed_message_of_the_procedures_reads_as_a_sentence(errno, text):
    field, sentence = errors.refusal(errors.error_for(errno, text))
    internal = {"portal_", "web_", "a-z0-9_"}         # record_audit_event's rule, not a form's
    assert sentence[:1].isupper() and sentence.endswith("."), sentence
    if not any(word in text for word in internal):
        assert not SNAKE.search(sentence), sentence
    assert field is None or field.isidentifier()      # a parameter, as forms name fields


class Form(forms.Form):
    serial_no = forms.CharField(label="Meter serial number", required=False)
    amount = forms.CharField(label="Amount", required=False)


def test_add_to_form_puts_the_one_sentence_on_its_field_and_the_summary_links_it():
    form = Form({"serial_no": "NOPE-1", "amount": "1"})
    assert form.is_valid()
    error = errors.error_for(45001, "no installed meter with serial_no NOPE-1")
    errors.add_to_form(form, error)
    assert form.errors == {"serial_no": [error.sentence]}
    assert form.has_error("serial_no", code="NOT_FOUND")
    html = render_to_string("billing/_form_errors.html", {"form": form, "error": error})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Not saved" in text and "Meter serial number : see the message next to the field." \
        in text
    assert error.sentence not in html and "Not found" not in html      # said on the field only


def test_a_refusal_about_the_form_as_a_whole_is_said_once_in_the_summary():
    form = Form({"serial_no": "x", "amount": "1"})
    assert form.is_valid()
    error = errors.error_for(45023, "payment 7 was reversed before")
    errors.add_to_form(form, error)
    assert form.non_field_errors() == ["This payment was reversed before."]
    html = render_to_string("billing/_form_errors.html", {"form": form, "error": error})
    assert html.count("This payment was reversed before.") == 1
    assert "<h2>Not saved: This payment was reversed before.</h2>" in html


def test_a_view_may_add_what_it_knows_and_name_the_field():
    form = Form({"serial_no": "x", "amount": "1"})
    form.is_valid()
    error = errors.error_for(45003, "a meter with serial SN-1 exists already")
    errors.add_to_form(form, error, field="amount", text=error.sentence + " Nothing was saved.")
    assert form.errors == {"amount": ["A meter with serial number SN-1 exists already. Nothing "
                                      "was saved."]}
